// Realm's own web SDK (realm-web, an App Services client) against ros-authd:
// register, login with every provider it speaks, profile, refresh, API keys,
// logout, and the errors it maps. Exits non-zero on the first failure.
// Usage: node realm_web_login.js <base URL> <app id>
const assert = require("assert/strict");
const Realm = require("realm-web");

async function rejects(promise, check) {
  try {
    await promise;
  } catch (e) {
    check(e);
    return;
  }
  assert.fail("expected a failure");
}

(async () => {
  const [baseUrl, appId] = process.argv.slice(2);
  const app = new Realm.App({ id: appId, baseUrl });

  await app.emailPasswordAuth.registerUser({ email: "web@example.com", password: "pw-web-123" });
  await rejects(app.emailPasswordAuth.registerUser({ email: "web@example.com", password: "x" }), (e) => {
    assert.equal(e.errorCode, "AccountNameInUse");
    assert.equal(e.statusCode, 409);
  });
  await rejects(app.logIn(Realm.Credentials.emailPassword("web@example.com", "wrong")), (e) => {
    assert.equal(e.errorCode, "InvalidPassword");
    assert.equal(e.statusCode, 401);
  });

  const user = await app.logIn(Realm.Credentials.emailPassword("web@example.com", "pw-web-123"));
  assert.equal(user.providerType, "local-userpass");
  assert.equal(user.profile.email, "web@example.com");
  assert.deepEqual(user.identities.map((i) => i.providerType), ["local-userpass"]);
  const before = user.accessToken;
  await new Promise((r) => setTimeout(r, 1100));  // a later iat: a different token
  await user.refreshAccessToken();
  assert.equal(user.accessToken.split(".").length, 3);
  assert.notEqual(user.accessToken, before);

  const key = await user.apiKeys.create("ci");
  assert.match(key._id, /^[0-9a-f]{24}$/);
  assert.equal(typeof key.key, "string");
  assert.equal(key.disabled, false);
  assert.deepEqual((await user.apiKeys.fetchAll()).map((k) => k.name), ["ci"]);
  await user.apiKeys.disable(key._id);
  await rejects(app.logIn(Realm.Credentials.apiKey(key.key)), (e) => assert.equal(e.errorCode, "AuthError"));
  await user.apiKeys.enable(key._id);
  const byKey = await app.logIn(Realm.Credentials.apiKey(key.key));
  assert.equal(byKey.id, user.id);
  await user.apiKeys.delete(key._id);

  const anon = await app.logIn(Realm.Credentials.anonymous());
  assert.notEqual(anon.id, user.id);
  assert.equal(anon.providerType, "anon-user");
  await rejects(anon.functions.callFunction("f"), (e) => assert.equal(e.errorCode, "FunctionNotFound"));

  await user.logOut();
  assert.equal(user.state, "logged-out");

  const missing = new Realm.App({ id: "no-such-app", baseUrl });
  await rejects(missing.logIn(Realm.Credentials.anonymous()), (e) =>
    assert.match(e.message, /cannot find app using Client App ID 'no-such-app'/));
  console.log("realm-web: all checks passed");
})().catch((e) => {
  console.error("realm-web: FAILED:", e);
  process.exit(1);
});
