#!/usr/bin/env python3
"""Helpers for check-targets.sh (standard library only, no third-party code).

Subcommands:
  select-all CATALOG_IN CATALOG_OUT     set "selected": true on every metadata entry of every stream
  record-counts TAP_OUTPUT COUNTS_JSON  RECORD messages per stream in the tap's Singer output
  only-stream TAP_OUTPUT STREAM OUT     the SCHEMA/RECORD/STATE messages of one stream (for diagnosis)
  file-counts KIND DIR COUNTS_JSON      rows per stream in a target's output files (KIND: jsonl or csv)
  check-tap-counts STDOUT COUNTS_JSON   per-stream record counts from singer-check-tap's summary table
  pg-counts PSQL_OUTPUT COUNTS_JSON     "table|count" lines (from psql -At) to a JSON object
  error-line STDERR_FILE                the most telling error line of a failed run
  meta META_JSON KEY VALUE [KEY VALUE...]  merge values into a target's meta.json
  expected COUNTS_JSON STREAM           one stream's RECORD count
  complete RECORDS_JSON COUNTS_JSON     exit 0 if every stream's count equals its RECORD count
  report RESULTS_DIR                    the result table; exit 1 if any installed target failed
"""
import csv
import json
import os
import re
import sys

csv.field_size_limit(sys.maxsize)


def select_all(src, dst):
    with open(src, encoding='utf-8') as f:
        catalog = json.load(f)
    for stream in catalog['streams']:
        for entry in stream.get('metadata', []):
            entry.setdefault('metadata', {})['selected'] = True
    with open(dst, 'w', encoding='utf-8') as f:
        json.dump(catalog, f, indent=2)


def record_counts(tap_output, dst):
    counts = {}
    with open(tap_output, encoding='utf-8') as f:
        for line in f:
            if not line.strip():
                continue
            msg = json.loads(line)
            if msg.get('type') == 'SCHEMA':
                counts.setdefault(msg['stream'], 0)
            elif msg.get('type') == 'RECORD':
                counts[msg['stream']] = counts.get(msg['stream'], 0) + 1
    with open(dst, 'w', encoding='utf-8') as f:
        json.dump(counts, f, indent=2, sort_keys=True)


def only_stream(tap_output, stream, dst):
    with open(tap_output, encoding='utf-8') as f, open(dst, 'w', encoding='utf-8') as out:
        for line in f:
            if not line.strip():
                continue
            msg = json.loads(line)
            if msg.get('type') == 'STATE' or msg.get('stream') == stream:
                out.write(line if line.endswith('\n') else line + '\n')


def file_counts(kind, directory, dst):
    counts = {}
    for name in sorted(os.listdir(directory)) if os.path.isdir(directory) else []:
        path = os.path.join(directory, name)
        if kind == 'jsonl' and name.endswith('.jsonl'):
            with open(path, encoding='utf-8') as f:
                counts[name[:-len('.jsonl')]] = sum(1 for line in f if line.strip())
        elif kind == 'csv' and name.endswith('.csv'):
            # csv records, not lines: a quoted value may hold newlines
            with open(path, encoding='utf-8', newline='') as f:
                rows = sum(1 for _ in csv.reader(f))
            counts[name[:-len('.csv')]] = max(rows - 1, 0)  # minus the header row
    with open(dst, 'w', encoding='utf-8') as f:
        json.dump(counts, f, indent=2, sort_keys=True)


def check_tap_counts(stdout_file, dst):
    counts = {}
    with open(stdout_file, encoding='utf-8', errors='replace') as f:
        for line in f:
            m = re.match(r'^\|\s*(\S+)\s*\|\s*(\d+)\s*\|\s*(\d+)\s*\|$', line.strip())
            if m:
                counts[m.group(1)] = int(m.group(2))
    with open(dst, 'w', encoding='utf-8') as f:
        json.dump(counts, f, indent=2, sort_keys=True)


def pg_counts(psql_output, dst):
    counts = {}
    with open(psql_output, encoding='utf-8') as f:
        for line in f:
            if '|' in line:
                table, n = line.strip().rsplit('|', 1)
                counts[table] = int(n)
    with open(dst, 'w', encoding='utf-8') as f:
        json.dump(counts, f, indent=2, sort_keys=True)


ERROR_RE = re.compile(r'(^|[\s:])([A-Za-z_.]*(Error|Exception|Exit)[A-Za-z_]*)(:|$)|CRITICAL|FATAL|^ERROR')


def error_line(stderr_file):
    try:
        with open(stderr_file, encoding='utf-8', errors='replace') as f:
            lines = [l.rstrip('\n') for l in f if l.strip()]
    except OSError:
        return ''
    # the last exception line of a Python traceback is the most telling; else the last error-looking line
    for i in range(len(lines) - 1, -1, -1):
        if re.match(r'^[A-Za-z_][\w.]*(Error|Exception|Exit|Interrupt)\b', lines[i]):
            return lines[i].strip()
    for i in range(len(lines) - 1, -1, -1):
        if ERROR_RE.search(lines[i]):
            return lines[i].strip()
    return lines[-1].strip() if lines else ''


def load(path, default=None):
    try:
        with open(path, encoding='utf-8') as f:
            return json.load(f)
    except (OSError, ValueError):
        return default


def load_diagnosis(diag_dir):
    if not os.path.isdir(diag_dir):
        return None
    runs = []
    for stream in sorted(os.listdir(diag_dir)):
        meta = load(os.path.join(diag_dir, stream, 'meta.json'), {}) or {}
        counts = load(os.path.join(diag_dir, stream, 'counts.json'), {}) or {}
        runs.append({'stream': stream, 'rc': meta.get('rc'), 'error_line': meta.get('error_line'),
                     'expected': meta.get('expected'), 'loaded': counts.get(stream, 0)})
    return runs


def write_meta(path, *pairs):
    meta = load(path, {}) or {}
    for key, value in zip(pairs[0::2], pairs[1::2]):
        meta[key] = int(value) if re.fullmatch(r'-?\d+', value) else value
    with open(path, 'w', encoding='utf-8') as f:
        json.dump(meta, f, indent=2, sort_keys=True)


def report(results_dir):
    expected = load(os.path.join(results_dir, 'records.json'), {}) or {}
    total = sum(expected.values())
    order = [l.strip() for l in open(os.path.join(results_dir, 'targets.txt'), encoding='utf-8') if l.strip()]
    rows, details, failed = [], [], False
    for target in order:
        tdir = os.path.join(results_dir, target)
        meta = load(os.path.join(tdir, 'meta.json'), {}) or {}
        if meta.get('skipped'):
            rows.append([target, '-', '-', '-', 'skipped: ' + meta['skipped'], 'SKIP'])
            continue
        loaded = load(os.path.join(tdir, 'counts.json'), {}) or {}
        ok_streams = [s for s, n in expected.items() if loaded.get(s) == n]
        mismatched = [s for s in sorted(expected) if loaded.get(s) != expected[s]]
        extra = sorted(set(loaded) - set(expected))
        rows_loaded = sum(loaded.get(s, 0) for s in expected)
        errors = []
        rc = meta.get('rc')
        if rc != 0:
            err = meta.get('error_line') or ''
            errors.append('exit %s%s' % (rc, (': ' + err) if err else ''))
        if mismatched:
            errors.append('%d stream(s) short/missing' % len(mismatched))
        if extra:
            errors.append('unexpected: ' + ','.join(extra))
        result = 'PASS' if rc == 0 and not mismatched and not extra else 'FAIL'
        failed = failed or result == 'FAIL'
        rows.append([target, meta.get('version', '?'), '%d/%d' % (len(ok_streams), len(expected)),
                     '%d/%d' % (rows_loaded, total), '; '.join(errors) or '-', result])
        if result == 'FAIL':
            d = ['%s: FAIL (exit %s, %s s)' % (target, rc, meta.get('seconds', '?'))]
            if meta.get('error_line'):
                d.append('  error: ' + meta['error_line'])
            if mismatched and len(mismatched) == len(expected) and not any(loaded.get(s) for s in expected):
                d.append('  streams not fully loaded: none of the %d streams has a row' % len(expected))
            elif mismatched:
                d.append('  streams not fully loaded (loaded/RECORDs): ' + ', '.join(
                    '%s %s/%d' % (s, loaded.get(s, '-'), expected[s]) for s in mismatched))
            diag = load_diagnosis(os.path.join(tdir, 'diag'))
            if diag is not None:
                bad = [x for x in diag if x['rc'] != 0 or x.get('loaded') != x.get('expected')]
                if bad:
                    d.append('  per-stream re-runs that fail (stream: error):')
                    for x in bad:
                        d.append('    %s: exit %s, loaded %s/%s: %s' % (x['stream'], x['rc'], x.get('loaded', '-'),
                                                                     x.get('expected'), x.get('error_line') or '-'))
                else:
                    d.append('  per-stream re-runs: every stream passes on its own')
            d.append('  logs: ' + tdir)
            details.append('\n'.join(d))
        if meta.get('deps'):
            details.append('%s versions: %s' % (target, meta['deps']))
    header = ['target', 'version', 'streams loaded', 'rows vs RECORDs', 'errors', 'result']
    widths = [max(len(str(r[i])) for r in rows + [header]) for i in range(len(header))]
    widths[4] = min(widths[4], 100)

    def fmt(r):
        cells = [str(c) if i != 4 or len(str(c)) <= 100 else str(c)[:97] + '...' for i, c in enumerate(r)]
        return '  '.join(c.ljust(widths[i]) for i, c in enumerate(cells)).rstrip()

    tap = load(os.path.join(results_dir, 'tap.json'), {}) or {}
    print('tap: %s (%s); output: %d RECORD messages in %d streams' % (
        tap.get('dir', '?'), tap.get('revision', '?'), total, len(expected)))
    print()
    print(fmt(header))
    print(fmt(['-' * w for w in widths]))
    for r in rows:
        print(fmt(r))
    if details:
        print()
        print('\n'.join(details))
    return 1 if failed else 0


def main(argv):
    if len(argv) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    cmd, args = argv[1], argv[2:]
    if cmd == 'select-all':
        select_all(*args)
    elif cmd == 'record-counts':
        record_counts(*args)
    elif cmd == 'only-stream':
        only_stream(*args)
    elif cmd == 'file-counts':
        file_counts(*args)
    elif cmd == 'check-tap-counts':
        check_tap_counts(*args)
    elif cmd == 'pg-counts':
        pg_counts(*args)
    elif cmd == 'error-line':
        print(error_line(*args))
    elif cmd == 'meta':
        write_meta(*args)
    elif cmd == 'complete':
        expected, loaded = load(args[0], {}) or {}, load(args[1], {}) or {}
        return 0 if all(loaded.get(k) == v for k, v in expected.items()) else 1
    elif cmd == 'expected':
        print((load(args[0], {}) or {}).get(args[1], 0))
    elif cmd == 'report':
        return report(*args)
    else:
        print(__doc__, file=sys.stderr)
        return 2
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
