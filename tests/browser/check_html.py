#!/usr/bin/python3
"""check_html.py: racelab's HTML report in a real browser (Debian's headless Chromium).

For each run below, `racelab run --json R.json --html R.html -- PROGRAM` is run from the source
directory; the page is opened from disk in headless Chromium, driven through the DevTools protocol
over --remote-debugging-pipe (no network, no extra packages), and checked against R.json:

  - it loads with no console error, no uncaught exception and no request other than file: and data:
    (the page must be self-contained), and has no <script>;
  - the lock-order graph is an inline <svg> that shows every lock of the report by name; every edge of
    a reported cycle is a red edge between the right locks labelled with its thread and source line;
    a suppressed cycle's edges are drawn too;
  - every thread named by a finding is on the page; one section per finding; the rerun command;
  - the timeline: the SVG lanes when the report has one, else the "no timeline recorded" line.

A full-page screenshot of each goes to BUILD_DIR/artifacts/browser_NAME.png (and the DOM to .dom.html).
Exit status 0 when every check passes, 1 when one fails, 77 (ctest's skip) when chromium is not
installed. Usage: check_html.py BUILD_DIR SOURCE_DIR"""
import base64
import fcntl
import json
import os
import select
import shutil
import subprocess
import sys
import tempfile
import time

TIMEOUT = 60
chromium = shutil.which("chromium") or ("/usr/bin/chromium" if os.access("/usr/bin/chromium", os.X_OK) else None)


class Browser:
    """Headless Chromium with the DevTools protocol on fds 3 (commands in) and 4 (replies out),
    messages separated by NUL bytes."""

    def __init__(self, profile, log):
        to_chrome_r, self.to_chrome = os.pipe()
        self.from_chrome, from_chrome_w = os.pipe()

        def child_fds():
            a = fcntl.fcntl(to_chrome_r, fcntl.F_DUPFD_CLOEXEC, 10)
            b = fcntl.fcntl(from_chrome_w, fcntl.F_DUPFD_CLOEXEC, 10)
            os.dup2(a, 3)
            os.dup2(b, 4)

        self.proc = subprocess.Popen(
            [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
             "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-extensions",
             "--disable-default-apps", "--mute-audio", "--hide-scrollbars", f"--user-data-dir={profile}",
             "--remote-debugging-pipe", "about:blank"],
            stdin=subprocess.DEVNULL, stdout=log, stderr=log, preexec_fn=child_fds, close_fds=False,
            start_new_session=True)
        os.close(to_chrome_r)
        os.close(from_chrome_w)
        self.buf = b""
        self.next_id = 0
        self.events = []

    def send(self, method, params=None, session=None):
        self.next_id += 1
        msg = {"id": self.next_id, "method": method, "params": params or {}}
        if session:
            msg["sessionId"] = session
        data = json.dumps(msg).encode() + b"\0"
        while data:
            data = data[os.write(self.to_chrome, data):]
        return self.next_id

    def _read_one(self, deadline):
        while b"\0" not in self.buf:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError("no answer from chromium")
            ready, _, _ = select.select([self.from_chrome], [], [], left)
            if ready:
                chunk = os.read(self.from_chrome, 1 << 20)
                if not chunk:
                    raise RuntimeError("chromium closed the DevTools pipe (did it crash?)")
                self.buf += chunk
        msg, self.buf = self.buf.split(b"\0", 1)
        return json.loads(msg)

    def call(self, method, params=None, session=None):
        want = self.send(method, params, session)
        deadline = time.monotonic() + TIMEOUT
        while True:
            msg = self._read_one(deadline)
            if msg.get("id") == want:
                if "error" in msg:
                    raise RuntimeError(f"{method}: {msg['error']}")
                return msg.get("result", {})
            if "method" in msg:
                self.events.append(msg)

    def wait_event(self, method, session):
        deadline = time.monotonic() + TIMEOUT
        for i, e in enumerate(self.events):
            if e["method"] == method and e.get("sessionId") == session:
                return self.events.pop(i)
        while True:
            msg = self._read_one(deadline)
            if msg.get("method") == method and msg.get("sessionId") == session:
                return msg
            if "method" in msg:
                self.events.append(msg)

    def close(self):
        try:
            self.send("Browser.close")
            self.proc.wait(timeout=10)
        except Exception:
            pass
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, 9)  # its own session: only chromium and its helpers
            self.proc.wait()
        os.close(self.to_chrome)
        os.close(self.from_chrome)


DOM_FACTS = r"""(() => {
  const texts = el => Array.from(el.querySelectorAll('text')).map(t => t.textContent);
  const svg = document.querySelector('#graph svg');
  const tl = document.querySelector('#timeline svg');
  return {
    svg: !!svg,
    svgWidth: svg ? svg.getBoundingClientRect().width : 0,
    nodes: svg ? Array.from(svg.querySelectorAll('g.node')).map(g => ({id: g.querySelector('title').textContent,
                                                                     label: texts(g).join(' ')})) : [],
    edges: svg ? Array.from(svg.querySelectorAll('g.edge')).map(g => ({
      cls: g.getAttribute('class'), title: g.querySelector('title').textContent,
      stroke: g.querySelector('path') ? g.querySelector('path').getAttribute('stroke') : null,
      dash: g.querySelector('path') ? g.querySelector('path').getAttribute('stroke-dasharray') : null,
      label: texts(g).join(' ')})) : [],
    timelineLanes: tl ? texts(tl) : null,
    body: document.body.innerText,
    scripts: document.querySelectorAll('script').length,
    articles: document.querySelectorAll('article.finding').length,
    height: document.documentElement.scrollHeight,
  };
})()"""


def first_located(stack):
    for fr in stack or []:
        if fr.get("file") and fr.get("line", 0) >= 1:
            return fr
    return None


def expectations(report):
    """(lock names, thread names, [(from name, to name, label words)], [(from, to) suppressed])."""
    locks, threads, edges, suppressed = set(), set(), [], []
    for f in report["findings"]:
        names = {l["id"]: l["name"] for l in f.get("locks", [])}
        tnames = {t["id"]: t["name"] for t in f.get("threads", [])}
        threads.update(tnames.values())
        if f.get("edges") or f.get("waits"):
            locks.update(names.values())
        for e in f.get("edges", []):
            fr = first_located(e.get("to_stack"))
            words = [tnames.get(e["thread"], f"T{e['thread']}")]
            if fr:
                words.append(f"{os.path.basename(fr['file'])}:{fr['line']}")
            edges.append((names[e["from"]], names[e["to"]], words))
    for n in report["notes"]:
        if n["kind"] == "suppressed-cycle":
            locks.update(n["locks"])
            ls = n["locks"]
            suppressed += [(ls[i], ls[(i + 1) % len(ls)]) for i in range(len(ls))]
    return locks, threads, edges, suppressed


def check_page(b, name, html, report, artifacts):
    problems = []
    target = b.call("Target.createTarget", {"url": "about:blank"})["targetId"]
    session = b.call("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
    for domain in ("Page", "Runtime", "Log", "Network"):
        b.call(f"{domain}.enable", session=session)
    b.call("Emulation.setDeviceMetricsOverride", {"width": 1280, "height": 900, "deviceScaleFactor": 1,
                                                  "mobile": False}, session=session)
    b.events.clear()
    b.call("Page.navigate", {"url": "file://" + html}, session=session)
    b.wait_event("Page.loadEventFired", session)
    facts = b.call("Runtime.evaluate", {"expression": DOM_FACTS, "returnByValue": True},
                   session=session)["result"]["value"]
    dom = b.call("Runtime.evaluate", {"expression": "document.documentElement.outerHTML", "returnByValue": True},
                 session=session)["result"]["value"]
    with open(os.path.join(artifacts, f"browser_{name}.dom.html"), "w") as f:
        f.write(dom)

    for e in b.events:
        if e.get("sessionId") != session:
            continue
        m, p = e["method"], e["params"]
        if m == "Runtime.exceptionThrown":
            problems.append(f"uncaught exception: {p['exceptionDetails'].get('text')}")
        elif m == "Runtime.consoleAPICalled" and p["type"] in ("error", "assert"):
            problems.append(f"console {p['type']}: {[a.get('value') for a in p['args']]}")
        elif m == "Log.entryAdded" and p["entry"]["level"] == "error":
            problems.append(f"console error: {p['entry']['text']}")
        elif m == "Network.requestWillBeSent" and not p["request"]["url"].startswith(("file:", "data:")):
            problems.append(f"the page fetched {p['request']['url']}")

    locks, threads, edges, suppressed = expectations(report)
    if facts["scripts"]:
        problems.append(f"{facts['scripts']} <script> elements")
    if not facts["svg"] or facts["svgWidth"] <= 0:
        problems.append("no rendered <svg> in the graph section")
    node_label = {n["id"]: n["label"] for n in facts["nodes"]}
    for lock in sorted(locks):
        if lock not in node_label.values():
            problems.append(f"lock {lock!r} is not a node of the graph (nodes: {sorted(node_label.values())})")
    drawn = []
    for e in facts["edges"]:
        a, _, z = e["title"].partition("->")
        drawn.append((node_label.get(a), node_label.get(z), e))
    for frm, to, words in edges:
        match = [e for a, z, e in drawn if (a, z) == (frm, to) and all(w in e["label"] for w in words)]
        if not match:
            problems.append(f"no edge {frm} -> {to} labelled {' '.join(words)!r}")
        elif match[0]["stroke"] != "red" or not ("cycle" in match[0]["cls"] or "deadlock" in match[0]["cls"]):
            problems.append(f"edge {frm} -> {to} is not highlighted red ({match[0]})")
    for frm, to in suppressed:
        match = [e for a, z, e in drawn if (a, z) == (frm, to) and "suppressed" in e["cls"]]
        if not match or not match[0]["dash"]:
            problems.append(f"suppressed edge {frm} -> {to} is not drawn dashed")
    for t in sorted(threads):
        if t not in facts["body"]:
            problems.append(f"thread {t!r} is not on the page")
    if facts["articles"] != len(report["findings"]):
        problems.append(f"{facts['articles']} finding sections for {len(report['findings'])} findings")
    rerun = report.get("schedule", {}).get("rerun")
    if rerun and rerun not in facts["body"]:
        problems.append("the rerun command is not on the page")
    if "timeline" in report:
        if not facts["timelineLanes"]:
            problems.append("the report has a timeline but the page draws no lanes")
    elif "no timeline recorded (run with --html to record one)" not in facts["body"]:
        problems.append("no 'no timeline recorded' line")

    height = min(max(int(facts["height"]), 900), 8000)
    b.call("Emulation.setDeviceMetricsOverride", {"width": 1280, "height": height, "deviceScaleFactor": 1,
                                                  "mobile": False}, session=session)
    shot = b.call("Page.captureScreenshot", {"format": "png"}, session=session)["data"]
    png = base64.b64decode(shot)
    with open(os.path.join(artifacts, f"browser_{name}.png"), "wb") as f:
        f.write(png)
    if not png.startswith(b"\x89PNG") or len(png) < 10000:
        problems.append(f"the screenshot looks empty ({len(png)} bytes)")
    b.call("Target.closeTarget", {"targetId": target})
    return problems


def main():
    build, source = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
    racelab = os.path.join(build, "bin", "racelab")
    artifacts = os.path.join(build, "artifacts")
    runs = {
        "lock_order_apart": ["--", os.path.join(build, "labs", "lock_order_deadlock"), "--mode", "apart"],
        "unsafe_counter_pct2": ["--schedule", "pct", "--seed", "2", "--",
                                os.path.join(build, "labs", "unsafe_counter"), "-n", "100"],
        "gate_lock": ["--", os.path.join(build, "tests", "programs", "gate_lock")],
    }
    if not chromium:
        print("SKIP: chromium is not installed (scripts/setup.sh installs it)")
        return 77
    os.makedirs(artifacts, exist_ok=True)
    passed = failed = 0
    with tempfile.TemporaryDirectory() as tmp:
        log = open(os.path.join(tmp, "chromium.log"), "w")
        browser = Browser(os.path.join(tmp, "profile"), log)
        try:
            for name, args in runs.items():
                html, report_path = os.path.join(tmp, f"{name}.html"), os.path.join(tmp, f"{name}.json")
                p = subprocess.run([racelab, "run", "--quiet", "--json", report_path, "--html", html] + args,
                                   cwd=source, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                                   timeout=TIMEOUT)
                try:
                    if p.returncode not in (0, 66):
                        raise RuntimeError(f"racelab run exited {p.returncode}: {p.stderr.strip()[-500:]}")
                    problems = check_page(browser, name, html, json.load(open(report_path)), artifacts)
                except Exception as e:
                    problems = [f"{type(e).__name__}: {e}"]
                if problems:
                    failed += 1
                    print(f"FAIL {name}:")
                    for pr in problems:
                        print(f"  {pr}")
                else:
                    passed += 1
                    print(f"ok   {name}: screenshot in {os.path.join(artifacts, 'browser_' + name + '.png')}")
        finally:
            browser.close()
            log.close()
            if failed:
                print("chromium's log (end):")
                print(open(os.path.join(tmp, "chromium.log")).read()[-3000:])
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
