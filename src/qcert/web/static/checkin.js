// The phone check-in page: ask the browser for the position (W3C Geolocation API), show it
// with its accuracy, and allow the form to be sent only once a position is known. A refusal or
// an unavailable position is said plainly; there is no typing a position in instead.
(function () {
  "use strict";
  var form = document.querySelector("form[data-checkin]");
  if (!form) { return; }
  var status = document.getElementById("position");
  var submit = document.getElementById("submit");
  var fields = ["lat", "lon", "accuracy_m"].map(function (id) { return document.getElementById(id); });

  function say(state, text) {
    status.dataset.state = state;
    status.textContent = text;
  }

  function clear() {
    fields.forEach(function (f) { f.value = ""; });
    submit.disabled = true;
  }

  function found(pos) {
    var c = pos.coords;
    var lat = c.latitude.toFixed(6), lon = c.longitude.toFixed(6);
    var acc = Math.round(c.accuracy * 10) / 10;
    fields[0].value = lat; fields[1].value = lon; fields[2].value = String(acc);
    say("found", status.dataset.found.replace("{lat}", lat).replace("{lon}", lon).replace("{acc}", acc));
    submit.disabled = false;
  }

  function failed(err) {
    clear();
    // PositionError.PERMISSION_DENIED is 1; 2 (unavailable) and 3 (timeout) are alike here.
    if (err && err.code === 1) { say("denied", status.dataset.denied); }
    else { say("unavailable", status.dataset.unavailable); }
  }

  function locate() {
    clear();
    if (!("geolocation" in navigator)) { say("unsupported", status.dataset.unsupported); return; }
    say("waiting", status.dataset.waiting);
    navigator.geolocation.getCurrentPosition(found, failed,
      { enableHighAccuracy: true, timeout: 20000, maximumAge: 0 });
  }

  document.getElementById("locate").addEventListener("click", locate);
  form.addEventListener("submit", function (event) {
    if (!fields[0].value || !fields[1].value) { event.preventDefault(); locate(); }
  });
  locate();
}());
