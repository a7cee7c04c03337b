// Diagnostic en marchant: fill latitude/longitude from the phone's position, on request only.
(function () {
  "use strict";
  var button = document.getElementById("geolocate");
  if (!button || !navigator.geolocation) { return; }
  var status = document.getElementById("geo-status");
  button.parentNode.hidden = false;
  button.addEventListener("click", function () {
    navigator.geolocation.getCurrentPosition(function (position) {
      document.getElementById("latitude").value = position.coords.latitude.toFixed(6);
      document.getElementById("longitude").value = position.coords.longitude.toFixed(6);
      status.textContent = "";
    }, function () {
      status.textContent = button.getAttribute("data-msg-error");
    }, { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 });
  });
})();
