/* The questionnaire form: one question per screen, the answers kept only in this page's memory,
   then encrypted to the practice's public key (GoalbookHPKE) and offered as a file and as text.
   No storage, no request: the page's Content-Security-Policy allows this script by hash only. */
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("form-data").textContent);
  var steps = [];          // one per item: {inst, index}
  var answers = {};        // instrument id -> array of values (null = not answered)
  var at = -1;             // current step; -1 = the introduction
  var byPointer = false;   // the last choice was a tap or click (then move on by itself)
  var endorsed = false;
  var confirmMissing = false;

  data.instruments.forEach(function (inst) {
    answers[inst.id] = inst.items.map(function () { return null; });
    inst.items.forEach(function (item, index) { steps.push({ inst: inst, index: index }); });
  });

  function $(id) { return document.getElementById(id); }
  function el(tag, attrs, text) {
    var node = document.createElement(tag), name;
    for (name in attrs || {}) node.setAttribute(name, attrs[name]);
    if (text !== undefined) node.textContent = text;
    return node;
  }
  function show(id) {
    ["intro", "question", "review", "done"].forEach(function (s) { $(s).hidden = s !== id; });
  }
  var COMPARE = {
    ">": function (a, b) { return a > b; }, ">=": function (a, b) { return a >= b; },
    "<": function (a, b) { return a < b; }, "<=": function (a, b) { return a <= b; },
    "==": function (a, b) { return a === b; }
  };
  function critical(inst, index, value) {
    return value !== null && inst.critical.some(function (c) {
      return c.item === index + 1 && COMPARE[c.op](value, c.value);
    });
  }
  function checkSafety() {
    endorsed = data.instruments.some(function (inst) {
      return answers[inst.id].some(function (v, i) { return critical(inst, i, v); });
    });
    Array.prototype.forEach.call(document.querySelectorAll(".safety"), function (box) {
      box.hidden = !endorsed;
    });
  }

  function renderQuestion() {
    var step = steps[at], inst = step.inst, item = inst.items[step.index];
    var firstOfInst = step.index === 0;
    $("progress-text").textContent = "Question " + (at + 1) + " of " + steps.length;
    $("progress-bar").value = at + 1;
    $("progress-bar").max = steps.length;
    $("inst-name").textContent = inst.name + " (" + inst.short_name + ")";
    $("inst-instructions").textContent = inst.instructions;
    $("inst-attribution").textContent = firstOfInst ? inst.attribution : "";
    var box = $("item");
    box.textContent = "";
    box.appendChild(el("legend", { id: "item-text" }, item.number + ". " + item.text));
    item.options.forEach(function (option, k) {
      var id = "answer-" + k;
      var row = el("div", { "class": "option" });
      var input = el("input", { type: "radio", name: "answer", id: id, value: String(option.value) });
      if (answers[inst.id][step.index] === option.value) input.checked = true;
      var label = el("label", { "for": id }, option.label);
      row.appendChild(input);
      row.appendChild(label);
      box.appendChild(row);
    });
    $("back").textContent = at === 0 ? "Back to the start" : "Back";
    $("next").textContent = at === steps.length - 1 ? "Review my answers" : "Next";
    var checked = box.querySelector("input:checked") || box.querySelector("input");
    checked.focus();
  }

  function go(to) {
    confirmMissing = false;
    if (to < 0) { at = -1; show("intro"); $("start").focus(); return; }
    if (to >= steps.length) { at = steps.length; renderReview(); return; }
    at = to;
    show("question");
    renderQuestion();
  }

  function missingByInstrument() {
    return data.instruments.map(function (inst) {
      var missing = [];
      answers[inst.id].forEach(function (v, i) { if (v === null) missing.push(i); });
      return { inst: inst, missing: missing };
    });
  }

  function renderReview() {
    show("review");
    var list = $("missing-list"), total = 0, blocked = [];
    list.textContent = "";
    missingByInstrument().forEach(function (m) {
      total += m.missing.length;
      if (m.missing.length > m.inst.may_miss) blocked.push(m.inst.short_name);
      m.missing.forEach(function (i) {
        var li = el("li");
        var button = el("button", { type: "button", "class": "link" },
                        "Answer " + m.inst.short_name + " question " + (i + 1));
        button.addEventListener("click", function () {
          go(steps.findIndex(function (s) { return s.inst === m.inst && s.index === i; }));
        });
        li.appendChild(button);
        list.appendChild(li);
      });
    });
    var answered = steps.length - total;
    $("review-summary").textContent = "You have answered " + answered + " of " + steps.length + " questions.";
    var finish = $("finish"), why = $("finish-why");
    if (blocked.length) {
      finish.disabled = true;
      why.textContent = "Please answer every question of " + blocked.join(" and ") +
        " before sending: it cannot be scored with questions left out.";
    } else if (total > 0) {
      finish.disabled = false;
      why.textContent = confirmMissing
        ? "Are you sure? " + total + (total === 1 ? " question is" : " questions are") +
          " unanswered. Press the button again to send anyway."
        : "";
      finish.textContent = confirmMissing ? "Send anyway" : "Send with " + total + " unanswered";
    } else {
      finish.disabled = false;
      why.textContent = "";
      finish.textContent = "Finish and encrypt my answers";
    }
    $("review-heading").focus();
  }

  function b64(bytes) {
    var s = "", i;
    for (i = 0; i < bytes.length; i++) s += String.fromCharCode(bytes[i]);
    return btoa(s);
  }
  function unb64(text) {
    var s = atob(text), out = new Uint8Array(s.length), i;
    for (i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
    return out;
  }
  function pad(n) { return (n < 10 ? "0" : "") + n; }

  function finish() {
    var missing = missingByInstrument().reduce(function (n, m) { return n + m.missing.length; }, 0);
    if (missing > 0 && !confirmMissing) { confirmMissing = true; renderReview(); $("finish").focus(); return; }
    var now = new Date();
    var payload = {
      v: 1, form: data.form, client: data.client,
      answered_at: now.toISOString().slice(0, 16) + "Z",
      answered_on: now.getFullYear() + "-" + pad(now.getMonth() + 1) + "-" + pad(now.getDate()),
      answers: answers
    };
    var enc = new TextEncoder();
    $("finish").disabled = true;
    GoalbookHPKE.seal(unb64(data.key), enc.encode(data.info), new Uint8Array(0),
                      enc.encode(JSON.stringify(payload))).then(function (sealed) {
      var body = b64(GoalbookHPKE.concat(sealed.enc, sealed.ct)), lines = [], i;
      for (i = 0; i < body.length; i += 64) lines.push(body.slice(i, i + 64));
      var text = ["-----BEGIN GOALBOOK REPLY-----", "form: " + data.form,
                  "key: sha256:" + data.fingerprint.slice(0, 16)].concat(lines)
                  .concat(["-----END GOALBOOK REPLY-----"]).join("\n") + "\n";
      // The answers themselves are dropped: only the encrypted reply remains in the page.
      Object.keys(answers).forEach(function (k) { answers[k] = answers[k].map(function () { return null; }); });
      $("reply-text").value = text;
      var link = $("download");
      link.href = URL.createObjectURL(new Blob([text], { type: "text/plain" }));
      link.download = "goalbook-reply-" + data.form + ".txt";
      show("done");
      $("done-heading").focus();
    }).catch(function (err) {
      $("finish").disabled = false;
      $("finish-why").textContent = "Your browser could not encrypt the answers (" + err.name +
        "). Please open this file in a current version of Chrome, Edge, Firefox or Safari.";
    });
  }

  function copyText() {
    var area = $("reply-text");
    var done = function () { $("copied").textContent = "Copied. Paste it into an e-mail or a message to your therapist."; };
    if (navigator.clipboard && navigator.clipboard.writeText) {
      navigator.clipboard.writeText(area.value).then(done, function () {
        area.select(); document.execCommand("copy"); done();
      });
    } else {
      area.select(); document.execCommand("copy"); done();
    }
  }

  $("start").addEventListener("click", function () { go(0); });
  $("back").addEventListener("click", function () { go(at - 1); });
  $("next").addEventListener("click", function () { go(at + 1); });
  $("review-back").addEventListener("click", function () { go(steps.length - 1); });
  $("finish").addEventListener("click", finish);
  $("copy").addEventListener("click", copyText);
  $("item").addEventListener("pointerdown", function () { byPointer = true; });
  $("item").addEventListener("keydown", function (event) {
    byPointer = false;
    if (event.key === "Enter") { event.preventDefault(); go(at + 1); }
  });
  $("item").addEventListener("change", function (event) {
    var step = steps[at], value = parseInt(event.target.value, 10);
    answers[step.inst.id][step.index] = value;
    checkSafety();
    var flagged = critical(step.inst, step.index, value);
    if (byPointer && !flagged) {
      var here = at;
      setTimeout(function () { if (at === here) go(at + 1); }, 250);
    }
    byPointer = false;
  });
  if (!(window.crypto && crypto.subtle)) {
    $("start").disabled = true;
    $("intro-note").textContent = "This browser cannot encrypt the answers. Please open the file in a current browser.";
  }
  show("intro");
})();
