/* caseledger console: small progressive enhancements. Every page works without this file, except the evidence
   upload's progress bar and the offline queue. No framework, nothing loaded from elsewhere. */
(function () {
  "use strict";
  var QUEUE = "caseledger.offline-acts";
  var zh = document.documentElement.lang.indexOf("zh") === 0;
  function say(zhText, enText) { return zh ? zhText : enText; }
  function csrf() { return document.body.getAttribute("data-csrf") || ""; }

  /* A select that chooses what the page shows (the catalogue item) reloads the page with it. */
  document.querySelectorAll("select[data-autosubmit]").forEach(function (select) {
    select.addEventListener("change", function () { select.form.submit(); });
  });

  /* Evidence: the file is the request body, with a progress bar; the form token travels in a header. */
  document.querySelectorAll("form[data-upload]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var file = form.querySelector("input[type=file]").files[0];
      if (!file) { return; }
      var bar = form.querySelector("progress");
      var status = form.querySelector(".upload-status");
      var query = new URLSearchParams({
        kind: form.querySelector("[name=kind]").value,
        description: form.querySelector("[name=description]").value,
        filename: file.name
      });
      form.querySelectorAll("input[name=officers]:checked").forEach(function (box) { query.append("officers", box.value); });
      var xhr = new XMLHttpRequest();
      xhr.open("POST", form.getAttribute("data-upload") + "?" + query.toString());
      xhr.setRequestHeader("X-CSRF-Token", csrf());
      xhr.setRequestHeader("Idempotency-Key", form.getAttribute("data-key"));
      xhr.setRequestHeader("Content-Type", file.type || "application/octet-stream");
      bar.hidden = false;
      xhr.upload.addEventListener("progress", function (e) {
        if (e.lengthComputable) { bar.value = Math.round((e.loaded / e.total) * 100); }
      });
      xhr.addEventListener("load", function () {
        if (xhr.status === 201) {
          status.textContent = say("上传完成", "Uploaded");
          window.location.reload();
        } else {
          /* The refusal is a page: its detail and article, as every refusal is shown. */
          var doc = new DOMParser().parseFromString(xhr.responseText, "text/html");
          var detail = doc.querySelector("#problem p");
          var article = doc.querySelector("#problem .article");
          status.textContent = say("未能上传：", "Not uploaded: ") + xhr.status + " " +
            (detail ? detail.textContent : "") + (article ? " " + article.textContent : "");
        }
      });
      xhr.addEventListener("error", function () { status.textContent = say("网络错误，请重试", "Network error: try again"); });
      xhr.send(file);
    });
  });

  /* Acts recorded with no network: kept on this device with the time they happened (claimed_at), the form's
     idempotency key and the case version the officer saw, and sent when the network returns. The server records
     a resent act once (the key) and refuses one on a case that moved on (412), which is shown to resolve. */
  function load() { try { return JSON.parse(localStorage.getItem(QUEUE) || "[]"); } catch (e) { return []; } }
  function save(queue) { localStorage.setItem(QUEUE, JSON.stringify(queue)); show(); }
  function beijingNow() {
    var now = new Date(Date.now() + 8 * 3600 * 1000);
    return now.toISOString().slice(0, 19) + "+08:00";
  }
  function show() {
    var box = document.getElementById("offline-queue");
    if (!box) { return; }
    var queue = load();
    box.hidden = queue.length === 0;
    box.textContent = "";
    if (queue.length === 0) { return; }
    var title = document.createElement("strong");
    title.textContent = say("待提交的离线记录：", "Acts waiting to be sent: ") + queue.length;
    box.appendChild(title);
    var list = document.createElement("ul");
    queue.forEach(function (act, index) {
      var item = document.createElement("li");
      item.textContent = act.title + " · " + act.claimed_at + (act.problem ? " · " + act.problem : "");
      if (act.problem) {
        var link = document.createElement("a");
        link.href = act.action;
        link.textContent = say(" 重新办理", " open the form");
        item.appendChild(link);
        var drop = document.createElement("button");
        drop.type = "button";
        drop.className = "link";
        drop.textContent = say(" 放弃", " discard");
        drop.addEventListener("click", function () { var q = load(); q.splice(index, 1); save(q); });
        item.appendChild(drop);
      }
      list.appendChild(item);
    });
    box.appendChild(list);
  }
  function replay() {
    if (!navigator.onLine) { return; }
    var queue = load();
    var pending = queue.filter(function (act) { return !act.problem; });
    if (pending.length === 0) { show(); return; }
    var act = pending[0];
    var body = new FormData();
    act.fields.forEach(function (pair) { body.append(pair[0], pair[0] === "csrf" ? (csrf() || pair[1]) : pair[1]); });
    fetch(act.action, { method: "POST", body: body, credentials: "same-origin" }).then(function (response) {
      return response.text().then(function (text) {
        var rest = load().filter(function (a) { return a.id !== act.id; });
        if (response.ok && !/\/login/.test(response.url)) {
          save(rest);
          replay();
          return;
        }
        if (response.status === 401 || /\/login/.test(response.url)) {
          /* The session ended: the act stays queued, to be sent once the officer has signed in again. */
          show();
          var box = document.getElementById("offline-queue");
          var link = document.createElement("a");
          link.href = "/login?next=" + encodeURIComponent(window.location.pathname);
          link.textContent = say("会话已结束，请重新登录后提交", "Session ended: sign in again to send");
          box.appendChild(link);
          return;
        }
        var doc = new DOMParser().parseFromString(text, "text/html");
        var problem = doc.querySelector("#problem p") || doc.querySelector("h1");
        act.problem = response.status + " " + (problem ? problem.textContent : "");
        rest.push(act);
        save(rest);
      });
    }).catch(function () { show(); });
  }
  document.querySelectorAll("form[data-offline]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (navigator.onLine) { return; }
      event.preventDefault();
      var claimed = form.querySelector("[name=claimed_at]");
      var fields = [];
      new FormData(form).forEach(function (value, name) {
        if (typeof value === "string") { fields.push([name, value]); }
      });
      var at = beijingNow();
      if (!claimed || !claimed.value) {
        fields = fields.filter(function (pair) { return pair[0] !== "claimed_at"; });
        fields.push(["claimed_at", at]);
      }
      var queue = load();
      queue.push({
        id: String(Date.now()) + Math.random().toString(16).slice(2),
        action: form.action,
        title: document.title,
        claimed_at: at,
        fields: fields,
        problem: null
      });
      save(queue);
      var status = document.createElement("p");
      status.setAttribute("role", "status");
      status.className = "queued";
      status.textContent = say("网络不可用：已保存在本设备，联网后自动提交", "No network: kept on this device, sent when back");
      form.parentNode.insertBefore(status, form);
    });
  });
  window.addEventListener("online", replay);
  show();
  replay();
})();

/* Signing in the browser. The Ed25519 key is made by WebCrypto as non-extractable and kept in IndexedDB; only its
   public half leaves the browser, to be registered (and approved by an admin). A statement is signed as the exact
   bytes the page carries (base64), after it is shown in full; the server verifies, and can never sign itself. */
(function () {
  "use strict";
  var zh = document.documentElement.lang.indexOf("zh") === 0;
  function say(zhText, enText) { return zh ? zhText : enText; }
  function csrf() { return document.body.getAttribute("data-csrf") || ""; }
  function store(mode, work) {
    return new Promise(function (resolve, reject) {
      var open = indexedDB.open("caseledger-keys", 1);
      open.onupgradeneeded = function () { open.result.createObjectStore("keys", { keyPath: "owner" }); };
      open.onerror = function () { reject(open.error); };
      open.onsuccess = function () {
        var tx = open.result.transaction("keys", mode);
        var request = work(tx.objectStore("keys"));
        tx.oncomplete = function () { resolve(request ? request.result : undefined); };
        tx.onerror = function () { reject(tx.error); };
      };
    });
  }
  function owner() { return document.body.getAttribute("data-user") || ""; }
  function b64(bytes) { return btoa(String.fromCharCode.apply(null, new Uint8Array(bytes))); }
  function unb64(text) { return Uint8Array.from(atob(text), function (c) { return c.charCodeAt(0); }); }

  var make = document.getElementById("make-key");
  if (make) {
    make.addEventListener("click", function () {
      var status = document.getElementById("browser-key");
      crypto.subtle.generateKey({ name: "Ed25519" }, false, ["sign", "verify"]).then(function (pair) {
        return crypto.subtle.exportKey("raw", pair.publicKey).then(function (raw) {
          var body = new FormData();
          body.append("csrf", csrf());
          body.append("public_key", b64(raw));
          return fetch(make.getAttribute("data-register"), { method: "POST", body: body, credentials: "same-origin" })
            .then(function (response) { return response.json().then(function (answer) { return [response, answer]; }); })
            .then(function (result) {
              if (result[0].status !== 201) { throw new Error(result[1].detail || result[0].status); }
              return store("readwrite", function (keys) {
                return keys.put({ owner: owner(), keyId: result[1].key_id, privateKey: pair.privateKey, publicKey: b64(raw) });
              }).then(function () {
                status.textContent = say("已生成并登记密钥 ", "Key made and registered: ") + result[1].key_id +
                  say("（待管理员批准）", " (waiting for an admin's approval)");
              });
            });
        });
      }).catch(function (error) { status.textContent = say("未能生成密钥：", "No key made: ") + error.message; });
    });
  }

  var sign = document.getElementById("sign-statement");
  if (sign) {
    sign.addEventListener("click", function () {
      var status = document.getElementById("sign-status");
      store("readonly", function (keys) { return keys.get(owner()); }).then(function (held) {
        if (!held) { throw new Error(say("本浏览器中没有您的签名密钥", "no key of yours in this browser")); }
        var statement = unb64(sign.getAttribute("data-statement"));
        return crypto.subtle.sign({ name: "Ed25519" }, held.privateKey, statement).then(function (signature) {
          var body = new FormData();
          body.append("csrf", csrf());
          body.append("key_id", held.keyId);
          body.append("signature", b64(signature));
          return fetch(sign.getAttribute("data-action"), { method: "POST", body: body, credentials: "same-origin" });
        });
      }).then(function (response) {
        if (response.ok) { window.location.href = response.url; return; }
        return response.text().then(function (text) {
          var doc = new DOMParser().parseFromString(text, "text/html");
          var detail = doc.querySelector("#problem p");
          status.textContent = response.status + " " + (detail ? detail.textContent : "");
        });
      }).catch(function (error) { status.textContent = say("未能签名：", "Not signed: ") + error.message; });
    });
  }
})();
