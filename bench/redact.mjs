// Redaction on hostile upstream text: megabytes of the shapes that made the old rules quadratic (runs of word
// characters and dashes, secret-named words without a value, long space runs after a key, quote runs), plus a
// realistic 300-character error excerpt. Every string pitwall shows or writes passes through this function.
// Target: each 1 MiB adversarial input under 250 ms (the old redactor took 93 s on 400 KB of "a-").
import { dist, median, report, round } from './lib.mjs';

const { createRedactor } = await dist('text/redact.js');
const r = createRedactor(['shpat_0123456789abcdef0123456789abc', 'cw-secret-0123456789', 'ghp_abcdefghijklmnopqrstuvwxyz0123']);
const MIB = 1 << 20;
const shapes = { dashes: 'a-', secretWords: 'token_', spacesAfterKey: 'secret ', quotes: '"a', controls: '\u001b[2J' };

const figures = {};
for (const [name, unit] of Object.entries(shapes)) {
  const text = unit.repeat(Math.ceil(MIB / unit.length));
  const times = [];
  for (let i = 0; i < 5; i++) {
    const t0 = performance.now();
    r.text(text);
    times.push(performance.now() - t0);
  }
  figures[`${name}MiBMs`] = round(median(times));
}
const excerpt = `{"errors":"[API] Invalid API key or access token (unrecognized login or wrong password) shpat_0123456789abcdef0123456789abc","request_id":"${'x'.repeat(200)}"}`.slice(0, 300);
const n = 20_000;
const t0 = performance.now();
for (let i = 0; i < n; i++) r.text(excerpt);
figures.excerptUs = round(((performance.now() - t0) / n) * 1000, 2);
figures.worstMiBMs = Math.max(...Object.keys(shapes).map((k) => figures[`${k}MiBMs`]));
figures.met = figures.worstMiBMs < 250;
report(figures);
