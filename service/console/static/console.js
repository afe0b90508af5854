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

/* The collective discussion's form: the heads ticked as present, counted against the quorum as they are ticked
   (the case service checks it again, and refuses a record short of it with 第五十七条). */
(function () {
  "use strict";
  var form = document.getElementById("discussion-form");
  if (!form) { return; }
  var quorum = parseInt(form.getAttribute("data-quorum"), 10);
  var count = form.querySelector("#quorum-count output");
  function recount() {
    var heads = form.querySelectorAll("input[name=attendees][data-head]:checked").length;
    count.textContent = String(heads);
    count.parentNode.classList.toggle("short", heads < quorum);
  }
  form.querySelectorAll("input[name=attendees]").forEach(function (box) { box.addEventListener("change", recount); });
  recount();
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

/* The supervisor's own verification, in the browser: each entry's leaf hash (SHA-256 of 0x00 and its bytes), its
   RFC 9162 inclusion proof up to the latest checkpoint's root, and the checkpoint's C2SP signed-note signature
   (Ed25519) under the verifier key this browser pinned the first time; a different key later is an alarm, never a
   silent update. The server's word is not taken for any of it. */
(function () {
  "use strict";
  var button = document.getElementById("verify-case");
  if (!button) { return; }
  var zh = document.documentElement.lang.indexOf("zh") === 0;
  function say(zhText, enText) { return zh ? zhText : enText; }
  var enc = new TextEncoder();
  function unb64(text) { return Uint8Array.from(atob(text), function (c) { return c.charCodeAt(0); }); }
  function hex(bytes) { return Array.from(new Uint8Array(bytes)).map(function (b) { return b.toString(16).padStart(2, "0"); }).join(""); }
  function concat(parts) {
    var size = parts.reduce(function (n, p) { return n + p.length; }, 0);
    var out = new Uint8Array(size);
    var at = 0;
    parts.forEach(function (p) { out.set(p, at); at += p.length; });
    return out;
  }
  function sha256(bytes) { return crypto.subtle.digest("SHA-256", bytes).then(function (d) { return new Uint8Array(d); }); }
  function same(a, b) { return a.length === b.length && a.every(function (x, i) { return x === b[i]; }); }
  function nodeHash(left, right) { return sha256(concat([new Uint8Array([1]), left, right])); }

  /* RFC 9162 §2.1.3.2: the root an inclusion proof implies. */
  function rootFromProof(leaf, index, size, proof) {
    var fn = index, sn = size - 1, value = Promise.resolve(leaf);
    proof.forEach(function (sibling) {
      if ((fn & 1) || fn === sn) {
        value = value.then(function (v) { return nodeHash(sibling, v); });
        while (!(fn & 1) && fn !== 0) { fn >>= 1; sn >>= 1; }
      } else {
        value = value.then(function (v) { return nodeHash(v, sibling); });
      }
      fn >>= 1; sn >>= 1;
    });
    return value.then(function (v) { if (sn !== 0) { throw new Error("proof too long"); } return v; });
  }

  /* A C2SP signed note checked with a vkey "<name>+<hex8 id>+<base64(0x01 || key)>"; the checkpoint body returned. */
  function openCheckpoint(note, vkey) {
    // Only the first two "+" separate fields: the base64 key itself may contain "+" (about half of all keys do).
    var text0 = vkey.trim(), first = text0.indexOf("+"), second = text0.indexOf("+", first + 1);
    if (first < 1 || second !== first + 9) { throw new Error("not a verifier key <name>+<id>+<key>"); }
    var name = text0.slice(0, first), keyId = text0.slice(first + 1, second), raw = unb64(text0.slice(second + 1));
    if (raw.length !== 33 || raw[0] !== 1) { throw new Error("not an Ed25519 verifier key"); }
    var publicKey = raw.slice(1);
    var split = note.indexOf("\n\n");
    var text = note.slice(0, split + 1);
    var lines = note.slice(split + 2).split("\n").filter(function (l) { return l; });
    return sha256(concat([enc.encode(name), new Uint8Array([10, 1]), publicKey])).then(function (idHash) {
      var wanted = idHash.slice(0, 4);
      var wantedHex = Array.prototype.map.call(wanted, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
      if (wantedHex !== keyId.toLowerCase()) { throw new Error("the verifier key's id does not match its key"); }
      var mine = lines.map(function (line) {
        var fields = line.replace(/^\u2014 /, "").split(" ");
        return { name: fields[0], sig: unb64(fields[1]) };
      }).filter(function (s) { return s.name === name && same(s.sig.slice(0, 4), wanted); });
      if (mine.length === 0) { throw new Error(say("检查点没有该公钥的签名", "no signature by the pinned key")); }
      return crypto.subtle.importKey("raw", publicKey, { name: "Ed25519" }, false, ["verify"]).then(function (key) {
        return Promise.all(mine.map(function (s) {
          return crypto.subtle.verify({ name: "Ed25519" }, key, s.sig.slice(4), enc.encode(text));
        }));
      }).then(function (results) {
        if (!results.every(Boolean)) { throw new Error(say("检查点签名无效", "invalid checkpoint signature")); }
        var body = text.slice(0, -1).split("\n");
        if (body[0] !== name) { throw new Error(say("检查点来源不符", "checkpoint origin differs")); }
        return { size: parseInt(body[1], 10), root: unb64(body[2]) };
      });
    });
  }

  button.addEventListener("click", function () {
    var agency = button.getAttribute("data-agency");
    var base = "/api/v1/agencies/" + encodeURIComponent(agency) + "/ledger";
    var summary = document.getElementById("verify-summary");
    var alarm = document.getElementById("vkey-alarm");
    var pinKey = "caseledger.vkey." + agency;
    summary.textContent = say("正在验证……", "Verifying…");
    fetch(base + "/vkey").then(function (r) { return r.text(); }).then(function (served) {
      served = served.trim();
      var pinned = localStorage.getItem(pinKey);
      if (pinned === null) {
        localStorage.setItem(pinKey, served);
        pinned = served;
        document.getElementById("vkey-pinned").textContent = say("（首次使用，已固定）", "(pinned now, first use)");
      } else {
        document.getElementById("vkey-pinned").textContent = say("（已固定）", "(pinned)");
      }
      return sha256(enc.encode(pinned)).then(function (digest) {
        document.getElementById("vkey-fingerprint").textContent = hex(digest).slice(0, 32).replace(/(.{4})/g, "$1 ").trim();
        if (served !== pinned) {
          alarm.hidden = false;
          alarm.textContent = say("警告：服务器提供的验证公钥与本浏览器固定的公钥不同！不要信任本页的验证结果，请与本机关公告的公钥核对。",
            "Alarm: the server's verifier key differs from the key this browser pinned. Trust no verification here; compare with the key the agency publishes.");
          throw new Error("verifier key changed");
        }
        return fetch(base + "/checkpoint").then(function (r) { return r.text(); }).then(function (note) {
          return openCheckpoint(note, pinned);
        });
      });
    }).then(function (checkpoint) {
      var items = Array.from(document.querySelectorAll("ol.timeline > li"));
      var proved = 0, failed = 0, pending = 0;
      return items.reduce(function (chain, li) {
        return chain.then(function () {
          var cell = li.querySelector(".browser-proof");
          var index = li.getAttribute("data-index");
          var bytes = unb64(li.getAttribute("data-canonical"));
          return sha256(concat([new Uint8Array([0]), bytes])).then(function (leaf) {
            if (!same(leaf, unb64(li.getAttribute("data-hash")))) { throw new Error(say("记录哈希不符", "entry hash differs")); }
            if (index === "" || parseInt(index, 10) >= checkpoint.size) {
              pending += 1;
              cell.textContent = say("尚未纳入检查点", "not yet in a checkpoint");
              return null;
            }
            return fetch(base + "/proof/inclusion?index=" + index + "&size=" + checkpoint.size)
              .then(function (r) { return r.json(); })
              .then(function (answer) {
                return rootFromProof(leaf, parseInt(index, 10), checkpoint.size, answer.proof.map(unb64));
              }).then(function (root) {
                if (!same(root, checkpoint.root)) { throw new Error(say("包含证明不符", "inclusion proof fails")); }
                proved += 1;
                li.classList.add("proved");
                cell.textContent = say("已验证：包含于第 ", "verified: in checkpoint of size ") + checkpoint.size + say(" 条的检查点", "");
              });
          }).catch(function (error) {
            failed += 1;
            li.classList.add("unproved");
            cell.textContent = say("验证失败：", "verification failed: ") + error.message;
          });
        });
      }, Promise.resolve()).then(function () {
        summary.textContent = say("已验证 ", "Verified ") + proved + say(" 条，失败 ", ", failed ") + failed +
          say(" 条，待纳入检查点 ", ", awaiting a checkpoint ") + pending;
      });
    }).catch(function (error) { summary.textContent = say("验证中止：", "Verification stopped: ") + error.message; });
  });
})();
