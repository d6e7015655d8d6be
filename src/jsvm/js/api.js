// The JS API beyond the prelude: `$filesystem` files, `FormData`, uploaded files of custom routes and
// `$mails`. Evaluated in every runtime right after prelude.js and modules.js.
(function (g) {
  "use strict";
  const call = g.__call;
  const toStr = g.__toStr;

  // ---------- $filesystem ----------
  // A file is plain data (`reader`, `name`, `originalName`, `size`) so it survives every trip to Rust;
  // `name` is the stored name (sanitised, random suffix), `originalName` what it was made from.
  // `file.reader.open()` gives what Go code takes as an io.Reader: a mail attachment, `toString(r)`
  class OpenedReader {
    constructor(src) { this.__open = src; Object.defineProperty(this, "__reader", { value: true }); }
    __text() { return call("readerText", this.__open); }
    close() {}
  }
  class File {
    constructor(d) {
      this.reader = d.reader;
      if (this.reader && typeof this.reader === "object" && !this.reader.open) {
        Object.defineProperty(this.reader, "open", { value: () => new OpenedReader(this.reader) });
      }
      this.name = d.name;
      this.originalName = d.originalName;
      this.size = d.size;
    }
    asMap() { return { name: this.name, originalName: this.originalName, size: this.size }; }
  }
  const file = (d) => new File(d);
  g.$filesystem = {
    fileFromPath: (p) => file(call("fileFromPath", toStr(p))),
    fileFromBytes: (b, name) => file(call("fileFromBytes", typeof b === "string" ? b : Array.from(b || []), toStr(name))),
    fileFromURL: (url, secs) => file(call("fileFromURL", toStr(url), secs === undefined || secs === null ? 120 : Number(secs) || 120)),
    fileFromMultipart: (fh) => file(call("fileFromMultipart", fh || null)),
  };

  // ---------- uploaded files of a custom route ----------
  function uploadedHeaders(st, key) {
    if (!st.multipart) throw new g.GoError("request Content-Type isn't multipart/form-data");
    const list = st.multipart.files[toStr(key)];
    if (!list || !list.length) throw new g.GoError("http: no such file");
    return list;
  }
  Object.defineProperty(g, "__findUploadedFiles", {
    value: (st, key) => uploadedHeaders(st, key).map((h) => file(call("fileFromMultipart", h))),
  });
  Object.defineProperty(g, "__formFile", {
    value: (st, key) => {
      const h = uploadedHeaders(st, key)[0];
      return [{ close() {} }, h];
    },
  });

  // ---------- FormData ----------
  class FormData {
    constructor() { Object.defineProperty(this, "__list", { value: [], writable: true }); }
    append(k, v) { this.__list.push([toStr(k), v]); }
    set(k, v) { this.delete(k); this.append(k, v); }
    delete(k) { k = toStr(k); this.__list = this.__list.filter((e) => e[0] !== k); }
    get(k) { k = toStr(k); const e = this.__list.find((x) => x[0] === k); return e ? e[1] : null; }
    getAll(k) { k = toStr(k); return this.__list.filter((x) => x[0] === k).map((x) => x[1]); }
    has(k) { k = toStr(k); return this.__list.some((x) => x[0] === k); }
    keys() { const out = []; for (const e of this.__list) if (out.indexOf(e[0]) < 0) out.push(e[0]); return out; }
    values() { return this.__list.map((e) => e[1]); }
    entries() { return this.__list.map((e) => [e[0], e[1]]); }
    __entries() { return this.__list.map((e) => [e[0], e[1] instanceof File || (e[1] && e[1].reader) ? e[1] : toStr(e[1])]); }
  }
  g.FormData = FormData;

  // ---------- $mails ----------
  // The auth mails of a record, with the collection's templates; they fire `onMailerRecord*Send` and
  // `onMailerSend` like the ones the API sends. The app argument is accepted for PocketBase's signature.
  const sendAuthMail = (kind, rec, ...extra) => { call("mailsSend", kind, rec, ...extra.map(toStr)); };
  g.$mails = {
    sendRecordPasswordReset: (app, rec) => sendAuthMail("passwordReset", rec),
    sendRecordVerification: (app, rec) => sendAuthMail("verification", rec),
    sendRecordChangeEmail: (app, rec, newEmail) => sendAuthMail("emailChange", rec, newEmail),
    sendRecordOTP: (app, rec, otpId, pass) => sendAuthMail("otp", rec, otpId, pass),
    sendRecordAuthAlert: (app, rec, info) => sendAuthMail("authAlert", rec, info),
  };
})(globalThis);
