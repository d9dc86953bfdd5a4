/* Follows a report run while it is queued or being rendered, without reloading the page.

   Every two seconds the report's page is fetched again and its status (a polite live
   region, so a screen reader hears each change) and its list of runs are replaced by
   the fresh ones; focus stays where it is. It stops once the run is done or failed.
   Without JavaScript the page reloads itself instead (a refresh inside <noscript>). */
(function () {
  "use strict";

  var INTERVAL = 2000;

  function pending(status) {
    return status !== null && status.getAttribute("data-pending") === "true";
  }

  function refresh() {
    window
      .fetch(window.location.href, { credentials: "same-origin", headers: { Accept: "text/html" } })
      .then(function (response) {
        if (!response.ok) {
          throw new Error("status " + response.status);
        }
        return response.text();
      })
      .then(function (html) {
        var fresh = new DOMParser().parseFromString(html, "text/html");
        var status = document.getElementById("report-status");
        var freshStatus = fresh.getElementById("report-status");
        if (status !== null && freshStatus !== null) {
          status.innerHTML = freshStatus.innerHTML;
          status.setAttribute("data-pending", freshStatus.getAttribute("data-pending"));
        }
        var runs = document.getElementById("report-runs");
        var freshRuns = fresh.getElementById("report-runs");
        if (runs !== null && freshRuns !== null) {
          runs.innerHTML = freshRuns.innerHTML;
        }
        if (pending(status)) {
          window.setTimeout(refresh, INTERVAL);
        }
      })
      .catch(function () {
        window.setTimeout(refresh, INTERVAL * 2);
      });
  }

  if (pending(document.getElementById("report-status"))) {
    window.setTimeout(refresh, INTERVAL);
  }
})();
