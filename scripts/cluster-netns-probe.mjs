#!/usr/bin/env node
// The client side of scripts/cluster-netns.sh: one WebSocket client per node, each subscribed to
// the same symbols; shows that each symbol is subscribed upstream once in the whole cluster, then
// kills the SIM lease holder (SIGKILL) and measures how long the clients of the other nodes wait
// for their next tick of every symbol.
// Usage: node scripts/cluster-netns-probe.mjs <admin token> <api key> <symbols> <name=url=pid>...
import { setTimeout as sleep } from 'node:timers/promises';
import { WebSocket } from 'ws';

const [adminToken, apiKey, symbolCount, ...specs] = process.argv.slice(2);
const nodes = specs.map((spec) => {
  const [name, url, pid] = spec.split('=');
  return { name, url, pid: Number(pid) };
});

async function stats(node) {
  const response = await fetch(`${node.url}/stats`, { headers: { authorization: `Bearer ${adminToken}` } });
  return (await response.json()).data;
}

async function upstream(node) {
  const s = await stats(node);
  const own = s.cluster.nodes.find((n) => n.node === s.node);
  return own?.owned.find((o) => o.exchange === 'SIM')?.upstreamSubscriptions ?? 0;
}

/** When the holder was killed; ticks from 100 ms after it on come from the new holder. */
let killedAt = Infinity;

function client(node, symbols) {
  const lastTick = new Map();
  const resumed = new Map();
  const ws = new WebSocket(node.url.replace(/^http/, 'ws'));
  ws.on('open', () => ws.send(JSON.stringify({ action: 'authenticate', api_key: apiKey })));
  ws.on('message', (data) => {
    const message = JSON.parse(String(data));
    if (message.type === 'auth') {
      ws.send(
        JSON.stringify({
          action: 'subscribe',
          mode: 1,
          symbols: symbols.map((symbol) => ({ exchange: 'SIM', symbol })),
        }),
      );
    } else if (message.type === 'market_data') {
      const now = performance.now();
      lastTick.set(message.symbol, now);
      if (now > killedAt + 100 && !resumed.has(message.symbol)) resumed.set(message.symbol, now);
    }
  });
  return { node, ws, lastTick, resumed };
}

async function until(what, check, timeoutMs) {
  const deadline = performance.now() + timeoutMs;
  while (!(await check())) {
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

const list = await (await fetch(`${nodes[0].url}/api/symbols?exchange=SIM`)).json();
const symbols = list.symbols.slice(0, Number(symbolCount));
const clients = nodes.map((node) => client(node, symbols));
await until(
  'a tick of every symbol on every node',
  () => clients.every((c) => c.lastTick.size === symbols.length),
  30_000,
);

const before = await Promise.all(nodes.map(upstream));
console.log(`upstream subscriptions per node (${nodes.map((n) => n.name).join(', ')}): ${before.join(', ')}`);
console.log(
  `  ${symbols.length} symbols wanted on every node; subscribed upstream ${before.reduce((a, b) => a + b, 0)} times in all`,
);

const holderName = (await stats(nodes[0])).cluster.holders.SIM;
const holder = nodes.find((n) => n.name === holderName);
console.log(`SIM lease holder: ${holderName}; kill -9 ${holder.pid}`);
killedAt = performance.now();
process.kill(holder.pid, 'SIGKILL');
const survivors = clients.filter((c) => c.node !== holder);
await until(
  'ticks on the surviving nodes',
  () => survivors.every((c) => c.resumed.size === symbols.length),
  60_000,
);
for (const c of survivors) {
  const last = Math.max(...c.resumed.values());
  console.log(
    `  ${c.node.name}: all ${symbols.length} symbols ticking again ${((last - killedAt) / 1000).toFixed(2)} s after the kill`,
  );
}

const after = await Promise.all(survivors.map((c) => upstream(c.node)));
console.log(
  `upstream subscriptions on the survivors (${survivors.map((c) => c.node.name).join(', ')}): ${after.join(', ')}`,
);
for (const c of clients) c.ws.terminate();
