// The snapshot's tables: cleanup history, caches and structures, adapters.
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

export function renderTables(snapshot) {
  rows(
    'cleanups',
    [...snapshot.cleanups]
      .reverse()
      .map((c) => [
        new Date(c.at).toLocaleTimeString(),
        c.trigger,
        c.level,
        c.totalFreed,
        c.durationMs.toFixed(1),
        c.errors,
        c.results.map((r) => `${r.name}:${r.freed}`).join(' '),
      ]),
  );
  rows(
    'structures',
    snapshot.structures.map((s) => [s.name, s.size, s.capacity ?? '—', meter(s.utilization)]),
  );
  rows(
    'adapters',
    snapshot.adapters.map((a) => [a.exchange, a.broker ?? '—', a.status, a.leases, a.subscriptions]),
  );
}
