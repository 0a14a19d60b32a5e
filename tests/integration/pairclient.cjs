// pairclient.cjs - a device client for the pairing tests: an Ed25519
// identity kept in a key file (so that it reconnects as the same device),
// a connect with a shared token or a device token, then optionally one
// method call, then it stays a while to collect events.  It uses the `ws'
// package of the OpenClaw install, as wsclient.cjs does.
//   usage: node pairclient.cjs URL
//   env: PC_KEY (key file, created if missing; unset: no device block)
//        PC_TOKEN, PC_DEVTOKEN (auth.token / auth.deviceToken)
//        PC_SCOPES (comma-separated, default operator.read), PC_ROLE
//        PC_CALL (method), PC_PARAMS (its JSON params), PC_HOLD (ms)
// Prints one JSON line: the frames received and how the socket closed.
const WebSocket = require('ws');
const crypto = require('crypto');
const fs = require('fs');

const env = process.env;
const url = process.argv[2];
const scopes = (env.PC_SCOPES === undefined ? 'operator.read' : env.PC_SCOPES)
  .split(',').filter((s) => s);
const role = env.PC_ROLE || 'operator';
const hold = Number(env.PC_HOLD || 0);

function identity() {
  if (!env.PC_KEY) return null;
  let pem;
  try {
    pem = fs.readFileSync(env.PC_KEY, 'utf8');
  } catch (e) {
    const { privateKey } = crypto.generateKeyPairSync('ed25519');
    pem = privateKey.export({ format: 'pem', type: 'pkcs8' });
    fs.writeFileSync(env.PC_KEY, pem, { mode: 0o600 });
  }
  const priv = crypto.createPrivateKey(pem);
  const pub = crypto.createPublicKey(priv);
  const raw = Buffer.from(pub.export({ format: 'jwk' }).x, 'base64url');
  return { priv, raw, id: crypto.createHash('sha256').update(raw).digest('hex') };
}

function proof(me, challenge, tok) {
  const payload = ['v3', me.id, 'cli', 'cli', role, scopes.join(','),
    challenge.ts, tok || '', challenge.nonce, 'linux', ''].join('|');
  const sig = crypto.sign(null, Buffer.from(payload), me.priv);
  return { id: me.id, publicKey: me.raw.toString('base64url'),
    signature: sig.toString('base64url'), signedAt: challenge.ts,
    nonce: challenge.nonce };
}

const me = identity();
const out = { deviceId: me ? me.id : null, frames: [], close: null };
const ws = new WebSocket(url, { perMessageDeflate: false });
const send = (o) => ws.send(JSON.stringify(o));
// exit only once stdout is flushed: a pipe takes 64 KiB at a time
const finish = () => {
  process.stdout.write(JSON.stringify(out) + '\n', () => process.exit(0));
};
setTimeout(() => { out.timeout = true; finish(); }, 20000 + hold);
ws.on('close', (code, reason) => {
  out.close = { code, reason: reason.toString() };
  finish();
});
ws.on('error', (e) => { out.error = String(e); });
let called = false;
const done = () => {
  if (hold > 0) setTimeout(() => ws.close(1000, 'done'), hold);
  else ws.close(1000, 'done');
};
ws.on('message', (data) => {
  const f = JSON.parse(data.toString());
  out.frames.push(f);
  if (f.type === 'event' && f.event === 'connect.challenge') {
    const auth = {};
    if (env.PC_TOKEN) auth.token = env.PC_TOKEN;
    if (env.PC_DEVTOKEN) auth.deviceToken = env.PC_DEVTOKEN;
    const params = {
      minProtocol: 4, maxProtocol: 4,
      client: { id: 'cli', version: '0.0.1', platform: 'linux', mode: 'cli',
        displayName: 'pairing test' },
      role, scopes, caps: [], auth,
    };
    if (me) params.device = proof(me, f.payload,
      env.PC_TOKEN || env.PC_DEVTOKEN);
    send({ type: 'req', id: 'c1', method: 'connect', params });
    return;
  }
  if (f.type === 'res' && f.id === 'c1') {
    if (!f.ok) return;
    if (env.PC_CALL && !called) {
      called = true;
      send({ type: 'req', id: 'm1', method: env.PC_CALL,
        params: JSON.parse(env.PC_PARAMS || '{}') });
      return;
    }
    done();
    return;
  }
  if (f.type === 'res' && f.id === 'm1') done();
});
