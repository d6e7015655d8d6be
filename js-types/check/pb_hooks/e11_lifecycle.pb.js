/// <reference path="../pb_data/types.d.ts" />
// Spec 08 §8 E11: bootstrap, cron, mail interception.
onBootstrap((e) => { e.next(); console.log("ready=" + e.app.isBootstrapped()) })
onTerminate((e) => { console.log("bye restart=" + e.isRestart); e.next() })
cronAdd("every_minute_demo", "* * * * *", () => console.log("tick"))
onMailerSend((e) => { console.log("MAIL to=" + e.message.to.map((a) => a.address).join(",")) /* no e.next(): dropped */ })
routerAdd("POST", "/mail/test", (e) => {
  e.app.newMailClient().send(new MailerMessage({ from: { address: e.app.settings().meta.senderAddress },
    to: [{ address: "someone@example.com" }], subject: "Hi", html: "<p>hello</p>" }))
  return e.json(200, { sent: true })
})
