/* SPDX-License-Identifier: Apache-2.0 */
/* invqr - the Share button of the citizen page: hands the attestation PDF
 * to the phone's share sheet (Web Share API, level 2: files) where the
 * browser can share files, and stays hidden elsewhere, where the download
 * link is the way. The page has no inline script (Content-Security-Policy):
 * the button comes hidden with the PDF's address and file name in data
 * attributes. If sharing fails after the click (the browser refuses, the
 * PDF cannot be fetched) the status line says so and the download starts,
 * so nothing is lost. */
(function () {
    "use strict";
    var button = document.getElementById("share-attestation");
    var status = document.getElementById("share-status");

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

    if (!button || !canShareFiles()) {
        return;
    }
    button.hidden = false;
    button.addEventListener("click", function () {
        var name = button.getAttribute("data-file-name");

        say("");
        button.setAttribute("aria-busy", "true");
        fetch(button.getAttribute("data-pdf"), {credentials: "same-origin"})
            .then(function (r) {
                if (!r.ok) {
                    throw new Error("HTTP " + r.status);
                }
                return r.blob();
            })
            .then(function (blob) {
                var file = new File([blob], name, {type: "application/pdf"});
                var data = {files: [file], title: button.getAttribute("data-title")};

                if (!navigator.canShare(data)) {
                    throw new Error("cannot share this file");
                }
                return navigator.share(data);
            })
            .then(function () {
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
