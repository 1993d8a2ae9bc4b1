// The snapshot's tables: cleanup history, caches and structures, adapters, cluster nodes.
function rows(tableId, cells) {
  const body = document.querySelector(`#${tableId} tbody`);
  body.replaceChildren(
    ...cells.map((row) => {
      const tr = document.createElement('tr');
      for (const cell of row) {
        const td = document.createElement('td');
        if (cell instanceof Node) td.append(cell);
        else td.textContent = String(cell);
        tr.append(td);
      }
      return tr;
    }),
  );
}

function meter(value) {
  const element = document.createElement('meter');
  element.min = 0;
  element.max = 1;
  element.value = value ?? 0;
  return element;
}

/**
 * The cleanup history, newest first: a row of figures per cleanup, then a row listing what each
 * callback freed, which wraps. The figures' columns are fixed in width (style.css), so a value
 * too long for its column is cut short instead of pushing the table out of its panel; its title
 * shows it whole.
 */
function cleanupRows(cleanups) {
  const body = document.querySelector('#cleanups tbody');
  body.replaceChildren(
    ...[...cleanups].reverse().flatMap((c) => {
      const figures = document.createElement('tr');
      figures.className = 'cleanup';
      const values = [c.trigger, c.level, c.totalFreed, c.durationMs.toFixed(1), c.errors];
      for (const value of [new Date(c.at).toLocaleTimeString(), ...values]) {
        const td = document.createElement('td');
        td.textContent = td.title = String(value);
        figures.append(td);
      }
      const callbacks = document.createElement('tr');
      callbacks.className = 'callbacks';
      const td = document.createElement('td');
      td.colSpan = figures.children.length;
      td.textContent = c.results.map((r) => `${r.name}:${r.freed}`).join(' ');
      callbacks.append(td);
      return [figures, callbacks];
    }),
  );
}

export function renderTables(snapshot) {
  cleanupRows(snapshot.cleanups);
  rows(
    'structures',
    snapshot.structures.map((s) => [s.name, s.size, s.capacity ?? '—', meter(s.utilization)]),
  );
  rows(
    'adapters',
    snapshot.adapters.map((a) => [a.exchange, a.broker ?? '—', a.status, a.leases, a.subscriptions]),
  );
  clusterRows(snapshot.cluster);
}

/** Cluster mode only: every node that answered, this one marked, with the exchanges it runs. */
function clusterRows(cluster) {
  const panel = document.getElementById('cluster-panel');
  panel.hidden = !cluster;
  if (!cluster) return;
  document.getElementById('cluster-name').textContent = `(${cluster.name})`;
  rows(
    'nodes',
    cluster.nodes.map((n) => [
      n.node === cluster.node ? `${n.node} (this one)` : n.node,
      n.clients,
      n.subscriptions,
      n.leases.map((l) => `${l.exchange} ${Math.round(l.ageMs / 1000)} s`).join(', ') || '—',
      `${n.bus.received} / ${n.bus.published}`,
      n.bus.connected ? 'connected' : 'down',
    ]),
  );
}
