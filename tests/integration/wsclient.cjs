// wsclient.cjs - a scripted WebSocket client for the integration tests of
// clawgate's gateway protocol (uses the `ws' package of the OpenClaw
// install).  usage: node wsclient.cjs URL SCENARIO [TOKEN]
// Prints one JSON line: what the server sent and how it closed.
const WebSocket = require('ws');
const crypto = require('crypto');

// an Ed25519 device proof as the OpenClaw client builds it (v3 payload)
function device(challenge, tok, spoil) {
  const { publicKey, privateKey } = crypto.generateKeyPairSync('ed25519');
  const raw = Buffer.from(publicKey.export({ format: 'jwk' }).x, 'base64url');
  let id = crypto.createHash('sha256').update(raw).digest('hex');
  let signedAt = challenge.ts;
  let nonce = challenge.nonce;
  if (spoil === 'old') signedAt -= 300000;
  const payload = ['v3', id, 'cli', 'cli', 'operator', 'operator.read',
    signedAt, tok || '', nonce, 'linux', ''].join('|');
  let sig = crypto.sign(null, Buffer.from(payload), privateKey);
  if (spoil === 'sig') sig[10] ^= 1;
  if (spoil === 'nonce') nonce = 'not-the-challenge';
  if (spoil === 'id') id = id.replace(/^./, id[0] === '0' ? '1' : '0');
  return { id, publicKey: raw.toString('base64url'),
    signature: sig.toString('base64url'), signedAt, nonce };
}

const [url, scenario, token] = process.argv.slice(2);
const out = { frames: [], close: null };
const opts = { perMessageDeflate: false };
if (process.env.WS_CA) opts.ca = require('fs').readFileSync(process.env.WS_CA);
if (process.env.WS_ORIGIN) opts.origin = process.env.WS_ORIGIN;
if (process.env.WS_LOCAL) opts.localAddress = process.env.WS_LOCAL;
if (process.env.WS_HEADERS) opts.headers = JSON.parse(process.env.WS_HEADERS);
const ws = new WebSocket(url, opts);
const send = (o) => ws.send(JSON.stringify(o));
const connect = (over = {}) => ({
  type: 'req', id: 'c1', method: 'connect',
  params: Object.assign({
    minProtocol: 4, maxProtocol: 4,
    client: { id: 'cli', version: '0.0.1', platform: 'linux', mode: 'cli' },
    role: 'operator', scopes: ['operator.read'], caps: [],
    auth: { token },
  }, over),
});
let step = 0;
const finish = () => { console.log(JSON.stringify(out)); process.exit(0); };
setTimeout(() => { out.timeout = true; finish(); }, 20000);
ws.on('close', (code, reason) => { out.close = { code, reason: reason.toString() }; finish(); });
ws.on('error', (e) => { out.error = String(e); });
ws.on('pong', () => { out.pong = true; });
ws.on('message', (data) => {
  const f = JSON.parse(data.toString());
  out.frames.push(f);
  step++;
  if (step === 1) {
    switch (scenario) {
    case 'before-connect': send({ type: 'req', id: 'x', method: 'health', params: {} }); break;
    case 'big-preauth': ws.send('x'.repeat(70 * 1024)); break;
    case 'silent': break;
    case 'old-protocol': send(connect({ minProtocol: 1, maxProtocol: 2 })); break;
    case 'protocol3': send(connect({ minProtocol: 3, maxProtocol: 3 })); break;
    case 'bad-scope': send(connect({ scopes: ['operator.root'] })); break;
    case 'node-role': send(connect({ role: 'node' })); break;
    case 'binary': ws.send(Buffer.from([1, 2, 3])); break;
    case 'fragmented': {
      const s = JSON.stringify(connect());
      ws.send(s.slice(0, 10), { fin: false });
      ws.send(s.slice(10), { fin: true });
      break;
    }
    case 'pairing-scope': send(connect({ scopes: ['operator.pairing'] })); break;
    case 'device-ok': case 'device-old': case 'device-sig': case 'device-nonce': case 'device-id':
      send(connect({ device: device(f.payload, token, scenario.slice(7)) })); break;
    default: send(connect());
    }
    return;
  }
  if (step === 2 && f.type === 'res' && f.ok) {
    switch (scenario) {
    case 'unknown-method': send({ type: 'req', id: 'u', method: 'nope.nope', params: {} }); break;
    case 'pairing-scope': send({ type: 'req', id: 'h', method: 'health', params: {} }); break;
    case 'ping': ws.ping(); send({ type: 'req', id: 'h', method: 'health', params: {} }); break;
    case 'reconnect': send(connect()); break;
    case 'flood': {
      // never read, and make the gateway answer a flood of bad frames
      ws._socket.pause();
      const junk = 'x'.repeat(64);
      for (let i = 0; i < 120000; i++) ws.send(junk);
      setTimeout(() => { out.flooded = true; finish(); }, 3000);
      break;
    }
    default: send({ type: 'req', id: 'h', method: 'health', params: {} });
    }
    return;
  }
  if (step >= 3) ws.close(1000, 'done');
});
