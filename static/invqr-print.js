/* SPDX-License-Identifier: Apache-2.0 */
/* invqr - the Print button of the citizen page's QR section. The page has
 * no inline script (Content-Security-Policy): the button comes hidden and
 * this shows it where the browser can print; the print stylesheet
 * (invqr.css, @media print) keeps only the QR section. */
(function () {
    "use strict";
    var button = document.getElementById("print-attestation");

    if (!button || typeof window.print !== "function") {
        return;
    }
    button.hidden = false;
    button.addEventListener("click", function () {
        window.print();
    });
}());
