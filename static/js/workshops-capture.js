// Live capture of workshop notes, progressive enhancement of a plain form.
// Each note gets a client-generated key (UUID) and goes into a queue kept in localStorage; the
// queue is sent one note at a time and a note leaves it only once the server has answered for
// it. The server stores each key once (UNIQUE), so a retry after a lost answer never duplicates.
(function () {
  "use strict";
  var form = document.getElementById("note-form");
  if (!form || !window.fetch || !window.localStorage || !window.JSON) { return; }

  var list = document.getElementById("notes-list");
  var status = document.getElementById("queue-status");
  var csrf = form.querySelector("input[name=csrf_token]").value;
  var storageKey = "pq-workshop-queue-" + form.getAttribute("data-workshop");
  var feedUrl = form.getAttribute("data-feed");
  var flushing = false;

  function uuid() {
    if (window.crypto && window.crypto.randomUUID) { return window.crypto.randomUUID(); }
    var bytes = new Uint8Array(16);
    window.crypto.getRandomValues(bytes);
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    var hex = Array.prototype.map.call(bytes, function (b) { return (b + 0x100).toString(16).slice(1); }).join("");
    return hex.slice(0, 8) + "-" + hex.slice(8, 12) + "-" + hex.slice(12, 16) + "-" + hex.slice(16, 20) + "-" + hex.slice(20);
  }

  function readQueue() {
    try { return JSON.parse(localStorage.getItem(storageKey) || "[]"); } catch (e) { return []; }
  }
  function writeQueue(queue) { localStorage.setItem(storageKey, JSON.stringify(queue)); }

  function message(name, n) { return (form.getAttribute("data-msg-" + name) || "").replace("{n}", n); }

  function showStatus(text) { status.textContent = text; }
  function refreshStatus() {
    var queue = readQueue();
    showStatus(queue.length ? message("pending", queue.length) : "");
    renderPending(queue);
  }

  // Notes typed but not yet stored are shown apart, so nobody types them twice.
  var pendingList = document.getElementById("pending-list");
  function renderPending(queue) {
    if (!pendingList) { return; }
    while (pendingList.firstChild) { pendingList.removeChild(pendingList.firstChild); }
    queue.forEach(function (item) {
      var li = document.createElement("li");
      li.className = "ws-pre";
      li.dir = "auto";
      li.textContent = item.text;
      pendingList.appendChild(li);
    });
    pendingList.hidden = queue.length === 0;
  }

  function addNote(note) {
    if (document.getElementById("note-" + note.id)) { return; }
    var empty = document.getElementById("no-notes");
    if (empty) { empty.parentNode.removeChild(empty); }
    var item = document.createElement("li");
    item.className = "ws-note";
    item.id = "note-" + note.id;
    item.setAttribute("data-note-id", note.id);
    item.setAttribute("data-client-key", note.client_key);
    if (note.question_number) {
      var badge = document.createElement("span");
      badge.className = "badge";
      badge.textContent = message("q", note.question_number);
      item.appendChild(badge);
      item.appendChild(document.createTextNode(" "));
    }
    var text = document.createElement("span");
    text.className = "ws-note-text ws-pre";  // the note's own line breaks stay visible
    text.dir = "auto";
    text.textContent = note.text;
    item.appendChild(text);
    if (note.dots_label) {  // "3 gommettes", plural chosen by the server's catalog
      var dots = document.createElement("span");
      dots.className = "muted";
      dots.textContent = " · " + note.dots_label;
      item.appendChild(dots);
    }
    list.insertBefore(item, list.firstChild);
    var after = parseInt(list.getAttribute("data-after") || "0", 10);
    if (note.id > after) { list.setAttribute("data-after", note.id); }
  }

  function removeFromQueue(item) {
    writeQueue(readQueue().filter(function (queued) { return queued.client_key !== item.client_key; }));
  }

  function flush() {
    if (flushing) { return; }
    var queue = readQueue();
    if (!queue.length) { refreshStatus(); return; }
    flushing = true;
    var item = queue[0];
    fetch(form.action, {
      method: "POST",
      credentials: "same-origin",
      redirect: "manual",
      headers: { "Content-Type": "application/json", "Accept": "application/json", "X-CSRFToken": csrf },
      body: JSON.stringify(item)
    }).then(function (response) {
      return response.json().then(function (body) { return { status: response.status, body: body }; },
                                   function () { return { status: response.status, body: {} }; });
    }).then(function (result) {
      flushing = false;
      var body = result.body || {};
      if (body.note) {
        // Stored now or earlier (same key): this note leaves the queue.
        removeFromQueue(item);
        addNote(body.note);
        renderPending(readQueue());
        showStatus(message("sent"));
        flush();
      } else if (result.status >= 400 && result.status < 500 && result.status !== 408 && result.status !== 429 && body.error) {
        // Refused for good (closed workshop, invalid note...): say why and give the text back.
        removeFromQueue(item);
        var textarea = form.elements.text;
        if (!textarea.value) { textarea.value = item.text; }
        showStatus(body.message || "");
      } else {
        refreshStatus();  // server error, expired session or redirect: keep it, retry later
      }
    }, function () {
      flushing = false;  // offline or server unreachable: the note stays queued
      refreshStatus();
    });
  }

  function poll() {
    if (navigator.onLine === false) { return; }
    var after = list.getAttribute("data-after") || "0";
    fetch(feedUrl + "&after=" + encodeURIComponent(after), { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (body) { if (body && body.notes) { body.notes.forEach(addNote); } }, function () {});
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var textarea = form.elements.text;
    var text = textarea.value.trim();
    if (!text) { showStatus(message("empty")); textarea.focus(); return; }
    var queue = readQueue();
    queue.push({
      client_key: uuid(),
      table: form.elements.table.value,
      round: form.elements.round.value,
      question_id: form.elements.question_id.value,
      theme_id: form.elements.theme_id.value,
      dot_votes: form.elements.dot_votes.value || "0",
      text: text
    });
    writeQueue(queue);
    textarea.value = "";
    form.elements.dot_votes.value = "0";
    textarea.focus();
    refreshStatus();
    flush();
  });

  window.addEventListener("online", flush);
  window.setInterval(flush, 3000);
  window.setInterval(poll, 5000);
  refreshStatus();
  flush();
})();
