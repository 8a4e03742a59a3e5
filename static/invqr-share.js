/* SPDX-License-Identifier: Apache-2.0 */
/* invqr - the Share button of the citizen page: hands the attestation PDF
 * to the phone's share sheet (Web Share API, level 2: files) where the
 * browser can share files, and stays hidden elsewhere, where the download
 * link is the way. The page has no inline script (Content-Security-Policy):
 * the button comes hidden with the PDF's address and file name in data
 * attributes. Where it shows, the PDF is fetched at once (one request of a
 * file the server keeps a copy of), so the share sheet opens from the
 * click itself, as Safari requires. If sharing fails after the click (the browser refuses, the
 * PDF cannot be fetched) the status line says so and the download starts,
 * so nothing is lost. */
(function () {
    "use strict";
    var button = document.getElementById("share-attestation");
    var status = document.getElementById("share-status");
    var ready = null, pending = null;

    function probe() {
        try {
            return new File(["%PDF-"], "attestazione.pdf", {type: "application/pdf"});
        } catch (e) {
            return null;
        }
    }

    function canShareFiles() {
        var f;

        if (typeof navigator.share !== "function" || typeof navigator.canShare !== "function"
            || typeof window.fetch !== "function") {
            return false;
        }
        f = probe();
        try {
            return f !== null && navigator.canShare({files: [f]});
        } catch (e) {
            return false;
        }
    }

    function say(text) {
        if (status) {
            status.textContent = text;
        }
    }

    function fallBack() {
        say(button.getAttribute("data-failed"));
        window.location.assign(button.getAttribute("data-pdf"));
    }

    /* The PDF, fetched as soon as the button shows: some browsers (Safari)
     * share only from the click itself, not after a download started by
     * it, so the file must be at hand when the person presses. */
    function fetchPdf() {
        return fetch(button.getAttribute("data-pdf"), {credentials: "same-origin"})
            .then(function (r) {
                if (!r.ok) {
                    throw new Error("HTTP " + r.status);
                }
                return r.blob();
            })
            .then(function (blob) {
                return new File([blob], button.getAttribute("data-file-name"),
                                {type: "application/pdf"});
            });
    }

    function share(file) {
        var data = {files: [file], title: button.getAttribute("data-title")};

        if (!navigator.canShare(data)) {
            return Promise.reject(new Error("cannot share this file"));
        }
        return navigator.share(data);
    }

    if (!button || !canShareFiles()) {
        return;
    }
    pending = fetchPdf().then(function (file) {
        ready = file;
        return file;
    });

    pending.catch(function () {
        return null;    /* the click tries again, or falls back */
    });
    button.hidden = false;
    button.addEventListener("click", function () {
        var done;

        say("");
        button.setAttribute("aria-busy", "true");
        /* with the file at hand, share within the click; else fetch first */
        done = ready !== null ? share(ready)
                              : pending.then(function (f) { return f; }, fetchPdf).then(share);
        done.then(function () {
            button.removeAttribute("aria-busy");
            say(button.getAttribute("data-done"));
        }, function (e) {
            button.removeAttribute("aria-busy");
            if (e && e.name === "AbortError") {
                return;     /* the person closed the share sheet */
            }
            fallBack();
        });
    });
}());
