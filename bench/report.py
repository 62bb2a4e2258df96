"""Statistics, the printed table, results.md/results.json and an SVG bar chart (stdlib only)."""
import json
import math
import os
from xml.sax.saxutils import escape

COLORS = {"agentrt": "#2b7bb9", "runc": "#9a9a9a", "crun": "#e08a2c"}


def median(xs):
  s = sorted(xs)
  n = len(s)
  if n == 0:
    return None
  return s[n // 2] if n % 2 else (s[n // 2 - 1] + s[n // 2]) / 2


def p90(xs):
  s = sorted(xs)
  if not s:
    return None
  return s[max(0, math.ceil(0.9 * len(s)) - 1)]


def timing_keys(results):
  keys = []
  for per_rt in results.values():
    for k, v in per_rt.items():
      if isinstance(v, dict) and "samples" in v and not k.startswith("concurrent") and k not in keys:
        keys.append(k)
  return keys


def ratio(a, b):
  return "%.2f" % (a / b) if a is not None and b else "-"


def ms(x):
  return "%.1f" % (1000 * x) if x is not None else "-"


def build_table(meta, results):
  rts = list(results)
  lines = []
  head = ["measurement"] + ["%s med / p90 ms" % r for r in rts]
  if "agentrt" in rts:
    head += ["agentrt/crun" if "crun" in rts else None, "agentrt/runc" if "runc" in rts else None]
  head = [h for h in head if h]
  rows = []

  def add_ratios(row, vals):
    if "agentrt" in rts:
      if "crun" in rts:
        row.append(ratio(vals.get("agentrt"), vals.get("crun")))
      if "runc" in rts:
        row.append(ratio(vals.get("agentrt"), vals.get("runc")))

  for k in timing_keys(results):
    row = [k]
    meds = {}
    for r in rts:
      v = results[r].get(k, {})
      s = v.get("samples", [])
      if v.get("error") and not s:
        row.append("failed")
        continue
      meds[r] = median(s)
      cell = "%s / %s" % (ms(meds[r]), ms(p90(s)))
      if "total" in v:
        cell += " (total %.2fs)" % v["total"]
      if v.get("error"):
        cell += " (partial)"
      row.append(cell)
    add_ratios(row, meds)
    rows.append(row)
  for metric, unit in (("rss_kib", "peak RSS KiB"), ("syscalls", "syscalls")):
    for variant in ("no-seccomp", "docker-seccomp"):
      k = "%s/%s" % (metric, variant)
      vals = {r: results[r].get(k) for r in rts}
      row = ["%s (%s)" % (unit, variant)] + [str(vals[r]) if vals[r] is not None else "-" for r in rts]
      add_ratios(row, vals)
      rows.append(row)
  for k in sorted((k for k in results[rts[0]] if k.startswith("concurrent")), key=lambda k: int(k.split("-")[1])):
    vals = {r: results[r].get(k, {}).get("per_container") for r in rts}
    row = ["%s: ms/container (lat med/p90)" % k]
    for r in rts:
      v = results[r].get(k, {})
      if not v:
        row.append("-")
        continue
      cell = "%s (%s/%s)" % (ms(v["per_container"]), ms(median(v["samples"])), ms(p90(v["samples"])))
      if v.get("failed"):
        cell += " %d failed" % v["failed"]
      row.append(cell)
    add_ratios(row, vals)
    rows.append(row)
  leak_row = ["leaks after concurrency"]
  for r in rts:
    leaks = {}
    for k, v in results[r].items():
      if k.startswith("concurrent") and v.get("leaks"):
        leaks[k] = v["leaks"]
    leak_row.append(json.dumps(leaks) if leaks else "none")
  leak_row += [""] * (len(head) - len(leak_row))
  rows.append(leak_row)

  widths = [max(len(str(x)) for x in col) for col in zip(head, *rows)]
  fmt = lambda row: "| " + " | ".join(str(c).ljust(w) for c, w in zip(row, widths)) + " |"
  lines.append(fmt(head))
  lines.append("|" + "|".join("-" * (w + 2) for w in widths) + "|")
  lines += [fmt(r) for r in rows]
  return lines


def targets(meta, results):
  """Issue 7's targets, each stated with the numbers it was judged on: met or not met, never asserted."""
  rt = lambda name, k: results.get(name, {}).get(k)
  med = lambda name, k: median((rt(name, k) or {}).get("samples", []))
  lines = []

  def verdict(ok):
    return "met" if ok else "NOT met"

  for k in timing_keys(results):
    if k.startswith("seq"):
      continue
    a, c = med("agentrt", k), med("crun", k)
    if a is not None and c:
      lines.append("- %s: agentrt %s ms vs crun %s ms = %.3fx crun (target <= 0.5x): %s" %
                   (k, ms(a), ms(c), a / c, verdict(a / c <= 0.5)))
  floor = median(meta.get("floor", {}).get("samples", []))
  a = med("agentrt", "run/no-seccomp")
  if floor and a is not None:
    lines.append("- run/no-seccomp vs the bare clone/pivot_root/exec floor (bench/floor.c, %s ms): %.3fx "
                 "(target <= 2x): %s" % (ms(floor), a / floor, verdict(a / floor <= 2)))
    with_cgroups = median(meta.get("floor_cgroups", {}).get("samples", []))
    if with_cgroups:
      lines.append("  (the same floor creating, joining and removing one cgroup per hierarchy, no limits: %s ms, "
                   "%.2fx the bare floor; agentrt is %.3fx that)" % (ms(with_cgroups), with_cgroups / floor,
                                                                    a / with_cgroups))
  for variant in ("no-seccomp", "docker-seccomp"):
    a, c = rt("agentrt", "rss_kib/" + variant), rt("crun", "rss_kib/" + variant)
    if a and c:
      lines.append("- peak RSS of run (%s): agentrt %d KiB vs crun %d KiB (target: below crun): %s" %
                   (variant, a, c, verdict(a < c)))
  conc = {int(k.split("-")[1]): v for k, v in results.get("agentrt", {}).items() if k.startswith("concurrent")}
  if conc:
    counts = sorted(conc)
    failed = sum(v.get("failed", 0) for v in conc.values())
    leaks = [k for k, v in conc.items() if v.get("leaks")]
    per = ["%d: %s ms" % (n, ms(conc[n]["per_container"])) for n in counts]
    growth = conc[counts[-1]]["per_container"] / conc[counts[0]]["per_container"]
    lines.append("- concurrency (%d at a time, median of 3 rounds): %d failed, leaks %s; per container %s (%.2fx from %d to %d; flat "
                 "= within 1.25x): %s" % (20, failed, leaks or "none", ", ".join(per), growth, counts[0], counts[-1],
                                          verdict(failed == 0 and not leaks and growth <= 1.25)))
  return lines


def nice_top(v):
  """Smallest 'round' axis maximum (1, 2, 2.5 or 5 times a power of ten, times 5 ticks) at or above v."""
  step = 10 ** math.floor(math.log10(v / 5))
  for m in (1, 2, 2.5, 5, 10):
    if 5 * m * step >= v:
      return 5 * m * step
  return 50 * step


def build_svg(results):
  rts = list(results)
  keys = [k for k in timing_keys(results)]
  vals = {k: {r: (median(results[r].get(k, {}).get("samples", [])), p90(results[r].get(k, {}).get("samples", [])))
              for r in rts} for k in keys}
  top = nice_top(max([p for k in keys for (_, p) in vals[k].values() if p] + [0.001]) * 1000)
  bar, gap, left, height, plot_top = 18, 26, 60, 300, 40
  group_w = bar * len(rts) + gap
  width = left + group_w * len(keys) + 20
  total_h = plot_top + height + 110
  y = lambda v: plot_top + height - height * v / top
  out = ['<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" font-family="sans-serif" font-size="11">' %
         (width, total_h), '<rect width="100%" height="100%" fill="white"/>',
         '<text x="%d" y="20" font-size="14">container startup: median ms (whisker: p90), lower is better</text>' %
         left]
  for i in range(6):
    v = top * i / 5
    out.append('<line x1="%d" x2="%d" y1="%.1f" y2="%.1f" stroke="#ddd"/>' % (left, width - 20, y(v), y(v)))
    out.append('<text x="%d" y="%.1f" text-anchor="end">%g</text>' % (left - 4, y(v) + 4, v))
  for gi, k in enumerate(keys):
    x0 = left + gi * group_w + gap / 2
    for ri, r in enumerate(rts):
      med, hi = vals[k][r]
      if med is None:
        continue
      x = x0 + ri * bar
      out.append('<rect x="%.1f" y="%.1f" width="%d" height="%.1f" fill="%s"><title>%s %s: %.1f ms</title></rect>' %
                 (x, y(med * 1000), bar - 2, plot_top + height - y(med * 1000), COLORS.get(r, "#555"), r, k,
                  med * 1000))
      cx = x + (bar - 2) / 2
      out.append('<line x1="%.1f" x2="%.1f" y1="%.1f" y2="%.1f" stroke="black"/>' %
                 (cx, cx, y(med * 1000), y(hi * 1000)))
    label_x = x0 + bar * len(rts) / 2
    name, _, variant = k.partition("/")
    out.append('<text x="%.1f" y="%d" text-anchor="middle">%s</text>' % (label_x, plot_top + height + 16,
                                                                        escape(name)))
    out.append('<text x="%.1f" y="%d" text-anchor="middle" fill="#666">%s</text>' %
               (label_x, plot_top + height + 30, escape(variant)))
  for ri, r in enumerate(rts):
    lx = left + ri * 110
    out.append('<rect x="%d" y="%d" width="12" height="12" fill="%s"/>' % (lx, total_h - 40, COLORS.get(r, "#555")))
    out.append('<text x="%d" y="%d">%s</text>' % (lx + 16, total_h - 30, escape(r)))
  out.append("</svg>")
  return "\n".join(out) + "\n"


def write_all(meta, results, out_dir, log):
  os.makedirs(out_dir, exist_ok=True)
  lines = build_table(meta, results)
  header = ["# agentrt startup benchmark", "", "%s, kernel %s, %d cpus, N=%d, agentrt profile: %s, source: %s" %
            (meta["date"], meta["kernel"], meta["cpus"], meta["iterations"], meta["agentrt_profile"],
             meta.get("source", "?"))]
  header += ["versions: " + ", ".join("%s %s" % kv for kv in meta["versions"].items())]
  header += ["note: " + n for n in meta["notes"]] + [""]
  floor = meta.get("floor", {}).get("samples", [])
  if floor:
    lines += ["", "floor (bench/floor.c: clone with the bundle's namespaces + pivot_root + mount /proc + exec, "
              "nothing else), run /bin/true: med %s / p90 %s ms" % (ms(median(floor)), ms(p90(floor)))]
  with_cgroups = meta.get("floor_cgroups", {}).get("samples", [])
  if with_cgroups:
    lines += ["", "floor with cgroups (bench/floor.c --cgroups: the same, plus mkdir, join and rmdir of one cgroup "
              "in each of the host's hierarchies, no limit written), run /bin/true: med %s / p90 %s ms" %
              (ms(median(with_cgroups)), ms(p90(with_cgroups)))]
  lines += ["", "## Targets (issue 7)", ""] + targets(meta, results)
  text = "\n".join(header + lines) + "\n"
  log("")
  log(text)
  with open(os.path.join(out_dir, "results.md"), "w") as f:
    f.write(text)
  with open(os.path.join(out_dir, "results.json"), "w") as f:
    json.dump({"meta": meta, "results": results}, f, indent=1)
  with open(os.path.join(out_dir, "chart.svg"), "w") as f:
    f.write(build_svg(results))
  log("wrote %s/{results.md,results.json,chart.svg}" % out_dir)
