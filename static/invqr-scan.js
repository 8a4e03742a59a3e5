/* SPDX-License-Identifier: Apache-2.0 */
/* invqr - the camera scanner of /verify and of the operator's home.
 *
 * The form works by typing; this adds a button that starts the camera (only
 * when pressed), reads frames with the vendored jsQR (static/jsQR.js, see
 * script/vendor-jsqr), takes the code out of the QR's address (BASE/V/CODE,
 * any case) and fills in the code field, then stops the camera and moves
 * the focus to the fiscal code. When there is no camera (no HTTPS, no
 * device, permission refused) the status line says so and typing remains.
 * No inline script (Content-Security-Policy); the texts come from the
 * page, in its language, as data attributes of the scanner block. */
(function () {
    "use strict";
    var box = document.getElementById("scanner");
    var start, stop, video, status, field, canvas, ctx, stream = null, timer = null;
    var CODE = /^[0-9A-HJKMNP-TV-Z]{20}$/;

    if (!box || typeof window.jsQR !== "function") {
        return;
    }
    start = document.getElementById("scan-start");
    stop = document.getElementById("scan-stop");
    video = document.getElementById("scan-video");
    status = document.getElementById("scan-status");
    field = document.getElementById(box.getAttribute("data-field"));
    if (!start || !stop || !video || !status || !field) {
        return;
    }

    function say(name) {
        status.textContent = box.getAttribute("data-msg-" + name) || "";
    }

    /* The code in what the QR holds: the attestation's address, whose last
     * path segment after /V/ is the code; or the bare code. null otherwise. */
    function codeOf(text) {
        var path = text, m;

        try {
            path = new URL(text).pathname;
        } catch (e) {
            path = text;
        }
        m = /(?:^|\/)V\/([0-9A-Za-z]{20})\/?$/i.exec(path);
        if (m) {
            path = m[1];
        }
        path = path.toUpperCase();
        return CODE.test(path) ? path : null;
    }

    function group(code) {
        return code.match(/.{5}/g).join("-");
    }

    function halt() {
        if (timer !== null) {
            window.clearTimeout(timer);
            timer = null;
        }
        if (stream !== null) {
            stream.getTracks().forEach(function (t) { t.stop(); });
            stream = null;
        }
        video.srcObject = null;
        video.hidden = true;
        stop.hidden = true;
        start.hidden = false;
    }

    function frame() {
        var w = video.videoWidth, h = video.videoHeight, found, code;

        timer = null;
        if (stream === null) {
            return;
        }
        if (w > 0 && h > 0) {
            canvas.width = w;
            canvas.height = h;
            ctx.drawImage(video, 0, 0, w, h);
            found = window.jsQR(ctx.getImageData(0, 0, w, h).data, w, h,
                                {inversionAttempts: "attemptBoth"});
            if (found && found.data) {
                code = codeOf(found.data);
                if (code !== null) {
                    halt();
                    field.value = group(code);
                    field.dispatchEvent(new Event("input", {bubbles: true}));
                    status.textContent = (box.getAttribute("data-msg-read") || "") + " " + group(code);
                    box.setAttribute("data-read", code);
                    (document.getElementById(box.getAttribute("data-next")) || field).focus();
                    return;
                }
                say("foreign");
            }
        }
        timer = window.setTimeout(frame, 150);
    }

    function failed(e) {
        halt();
        if (e && (e.name === "NotAllowedError" || e.name === "SecurityError")) {
            say("denied");
        } else if (e && (e.name === "NotFoundError" || e.name === "OverconstrainedError"
                         || e.name === "NotReadableError")) {
            say("nodevice");
        } else {
            say("unavailable");
        }
    }

    start.hidden = false;
    start.addEventListener("click", function () {
        if (!window.isSecureContext || !navigator.mediaDevices
            || typeof navigator.mediaDevices.getUserMedia !== "function") {
            say("insecure");
            return;
        }
        canvas = canvas || document.createElement("canvas");
        ctx = ctx || canvas.getContext("2d", {willReadFrequently: true});
        say("starting");
        navigator.mediaDevices.getUserMedia({video: {facingMode: "environment"}, audio: false})
            .then(function (s) {
                stream = s;
                video.srcObject = s;
                video.hidden = false;
                start.hidden = true;
                stop.hidden = false;
                stop.focus();
                return video.play();
            })
            .then(function () {
                if (stream !== null) {
                    say("scanning");
                    frame();
                }
            }, function (e) {
                /* stopped by the person while the picture was starting */
                if (stream === null && e && e.name === "AbortError") {
                    return;
                }
                failed(e);
            });
    });
    stop.addEventListener("click", function () {
        halt();
        say("stopped");
        start.focus();
    });
}());
