// Drives a running server with the official PocketBase JS SDK 0.21 (pre-0.23 admin API).
// Usage: PB_URL=http://127.0.0.1:8090 PB_EMAIL=… PB_PASSWORD=… node tests/sdk021/admins.mjs
// Exits non-zero on the first failed check; missing node deps fail the import (never skipped).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import PocketBase from 'pocketbase';

const sdkVersion = JSON.parse(
  readFileSync(new URL('./node_modules/pocketbase/package.json', import.meta.url)),
).version;
assert.match(sdkVersion, /^0\.21\./, `expected the 0.21 SDK, found ${sdkVersion}`);

const { PB_URL, PB_EMAIL, PB_PASSWORD } = process.env;
assert.ok(PB_URL && PB_EMAIL && PB_PASSWORD, 'PB_URL, PB_EMAIL and PB_PASSWORD are required');

const pb = new PocketBase(PB_URL);
pb.autoCancellation(false);
let passed = 0;
async function check(name, fn) {
  try {
    await fn();
    passed++;
    console.log(`ok - ${name}`);
  } catch (e) {
    console.error(`not ok - ${name}`);
    throw e;
  }
}

await check('a wrong password is rejected with 400', async () => {
  await assert.rejects(pb.admins.authWithPassword(PB_EMAIL, 'wrong-password'), (e) => {
    assert.equal(e.status, 400);
    return true;
  });
  assert.equal(pb.authStore.isValid, false);
});

await check('admins.authWithPassword', async () => {
  const auth = await pb.admins.authWithPassword(PB_EMAIL, PB_PASSWORD);
  assert.ok(auth.token);
  assert.equal(auth.admin.email, PB_EMAIL);
  assert.deepEqual(Object.keys(auth.admin).sort(), ['avatar', 'created', 'email', 'id', 'updated']);
  assert.ok(pb.authStore.isValid);
  assert.ok(pb.authStore.isAdmin, 'the SDK recognises the admin token');
  assert.equal(pb.authStore.model.email, PB_EMAIL);
});

await check('admins.getList', async () => {
  const list = await pb.admins.getList(1, 10);
  assert.equal(list.page, 1);
  assert.equal(list.perPage, 10);
  assert.equal(list.totalItems, 1);
  assert.equal(list.items[0].email, PB_EMAIL);
});

let created;
await check('admins.create / getOne / update / getFullList', async () => {
  created = await pb.admins.create({
    email: 'second-admin@example.com',
    password: 'Second123456',
    passwordConfirm: 'Second123456',
    avatar: 3,
  });
  assert.equal(created.email, 'second-admin@example.com');
  const one = await pb.admins.getOne(created.id);
  assert.equal(one.id, created.id);
  const updated = await pb.admins.update(created.id, { email: 'renamed-admin@example.com' });
  assert.equal(updated.email, 'renamed-admin@example.com');
  const all = await pb.admins.getFullList({ sort: 'created' });
  assert.equal(all.length, 2);
});

await check('admins.authRefresh keeps the admin signed in', async () => {
  const before = pb.authStore.token;
  const res = await pb.admins.authRefresh();
  assert.ok(res.token);
  assert.equal(res.admin.email, PB_EMAIL);
  assert.ok(pb.authStore.isAdmin);
  assert.ok(before);
});

await check('the admin token works on the current API (collections)', async () => {
  const cols = await pb.collections.getFullList();
  assert.ok(cols.some((c) => c.name === 'users'));
});

await check('admins.requestPasswordReset answers 204', async () => {
  assert.equal(await pb.admins.requestPasswordReset('nobody@example.com'), true);
});

await check('admins.delete', async () => {
  assert.equal(await pb.admins.delete(created.id), true);
  await assert.rejects(pb.admins.getOne(created.id), (e) => e.status === 404);
});

console.log(`${passed} passed, 0 failed`);
