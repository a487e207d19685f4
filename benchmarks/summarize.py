#!/usr/bin/env python3
"""Turns the CASE lines written by run-e2e.sh into the Strom-vs-mock table (stdlib only)."""
import sys
from collections import defaultdict


def parse(path):
    cases, notes = [], []
    with open(path) as f:
        for line in f:
            line = line.strip()
            if line.startswith('#'):
                notes.append(line)
            elif line.startswith('CASE '):
                fields = dict(kv.split('=', 1) for kv in line[5:].split() if '=' in kv)
                cases.append(fields)
    return cases, notes


def num(d, key, default=0.0):
    try:
        return float(d.get(key, default))
    except ValueError:
        return default


def main(path):
    cases, notes = parse(path)
    runs = defaultdict(list)
    for c in cases:
        runs[(c['name'], c['broker'])].append(c)

    rows = []

    def row(metric, mock, strom, target, ok, fmt='{:,.0f}'):
        if not mock or mock != mock:  # zero or NaN: too little to measure (CPU ticks are 10 ms)
            rows.append((metric, fmt.format(mock), fmt.format(strom), 'n/a', target, 'n/a'))
            return
        rows.append((metric, fmt.format(mock), fmt.format(strom), f'{strom / mock:.2f}x', target, 'yes' if ok else 'NO'))

    for name, label in (('kcat-1k', 'kcat -P 1 KiB'), ('kcat-100', 'kcat -P 100 B'),
                        ('cfk-1k', 'Confluent.Kafka 1 KiB'), ('cfk-100', 'Confluent.Kafka 100 B')):
        m, s = runs.get((name, 'mock')), runs.get((name, 'strom'))
        if not m or not s:
            continue
        best = lambda rs, k: max(num(r, k) for r in rs)
        mm, sm = best(m, 'msgps'), best(s, 'msgps')
        row(f'{label}: msg/s (best of {len(s)})', mm, sm, '>= 0.9x', sm >= 0.9 * mm)
        row(f'{label}: MB/s', best(m, 'mbps'), best(s, 'mbps'), '>= 0.9x', best(s, 'mbps') >= 0.9 * best(m, 'mbps'), '{:,.1f}')

        def cpu_per_gb(rs):
            cpu = sum(num(r, 'broker_cpu_s') for r in rs)
            data = sum(num(r, 'delivered', num(r, 'count')) * num(r, 'size') for r in rs)
            return cpu / (data / 1e9) if data else float('nan')
        mc, sc = cpu_per_gb(m), cpu_per_gb(s)
        row(f'{label}: broker CPU s/GB', mc, sc, '<= 1.0x', sc <= mc, '{:,.2f}')

    m, s = runs.get(('lag', 'mock')), runs.get(('lag', 'strom'))
    if m and s:
        m, s = m[-1], s[-1]
        rate = num(s, 'rate')
        for label, key in (('max lag (records)', 'lag_max'), ('lag slope (records/s)', 'lag_slope_per_s')):
            rows.append((f'lag @ {rate:,.0f} msg/s 1 KiB: {label}', f"{num(m, key):,.0f}", f"{num(s, key):,.0f}", '',
                         'flat', ''))
        flat = lambda r: abs(num(r, 'lag_slope_per_s')) <= 0.005 * rate and num(r, 'drain_s') < 2 and num(r, 'failed') == 0
        rows.append((f'lag @ {rate:,.0f} msg/s: flat (|slope| <= 0.5% of rate, drains < 2 s)',
                     'yes' if flat(m) else 'no', 'yes' if flat(s) else 'no', '', 'flat', 'yes' if flat(s) else 'NO'))
        rows.append((f'lag @ {rate:,.0f} msg/s: achieved acked msg/s', f"{num(m, 'acked_msgps'):,.0f}",
                     f"{num(s, 'acked_msgps'):,.0f}", '', '', ''))

    m, s = runs.get(('lat', 'mock')), runs.get(('lat', 'strom'))
    if m and s:
        m, s = m[-1], s[-1]
        rate = num(s, 'rate')
        for q in ('p50', 'p99', 'p999'):
            mv, sv = num(m, f'{q}_us') / 1000, num(s, f'{q}_us') / 1000
            target = 'strom <= mock + 1 ms' if q == 'p99' else ''
            ok = ('yes' if sv <= mv + 1 else 'NO') if q == 'p99' else ''
            rows.append((f'e2e latency @ {rate:,.0f} msg/s 1 KiB: {q} ms', f'{mv:.2f}', f'{sv:.2f}',
                         f'{sv - mv:+.2f} ms', target, ok))

    header = ('metric', 'mock', 'strom', 'strom/mock', 'target', 'met')
    widths = [max(len(str(r[i])) for r in rows + [header]) for i in range(len(header))]
    for n in notes:
        print(n)
    line = lambda r: '| ' + ' | '.join(str(v).ljust(w) for v, w in zip(r, widths)) + ' |'
    print(line(header))
    print('|' + '|'.join('-' * (w + 2) for w in widths) + '|')
    for r in rows:
        print(line(r))


if __name__ == '__main__':
    main(sys.argv[1])
