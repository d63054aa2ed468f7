"""Helpers of ShareBrowserTests, standard library only.

share_browser.py stats PNG X Y W H
    Decodes a screenshot (8-bit RGB or RGBA, not interlaced) and prints JSON about the rectangle:
    {"width", "height", "distinct": colours in the rectangle, "grey": distinct grey levels among
    them, "mean": mean of R+G+B/3}.

share_browser.py frame CHROMIUM URL OUT.png
    Drives headless Chromium through the DevTools protocol on a pipe (--remote-debugging-pipe:
    commands on fd 3, answers on fd 4, each a JSON text ended by NUL): opens URL at 1280x800, waits
    for the grid's thumbnails, clicks the first series, waits for its frame, presses ArrowDown
    (next frame) and "4" (brain window), waits for that frame, saves a screenshot to OUT.png and
    prints JSON about the page: {"thumbs", "overlay", "frameWidth", "frameHeight", "title"}.
"""
import base64
import fcntl
import json
import os
import struct
import subprocess
import sys
import time
import zlib


def read_png(path, needed=None):
    data = open(path, "rb").read()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    pos, idat, header = 8, b"", None
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos:pos + 4])
        ctype, body = data[pos + 4:pos + 8], data[pos + 8:pos + 8 + length]
        if ctype == b"IHDR":
            header = struct.unpack(">IIBBBBB", body)
        elif ctype == b"IDAT":
            idat += body
        pos += 12 + length
    width, height, depth, colour, _, _, interlace = header
    assert depth == 8 and interlace == 0 and colour in (2, 6), header
    bpp = 3 if colour == 2 else 4
    raw, stride = zlib.decompress(idat), width * bpp
    rows, prev, p = [], bytearray(stride), 0
    for _ in range(height if needed is None else min(height, needed)):
        kind, line = raw[p], bytearray(raw[p + 1:p + 1 + stride])
        p += 1 + stride
        for i in range(stride):
            a = line[i - bpp] if i >= bpp else 0
            b = prev[i]
            c = prev[i - bpp] if i >= bpp else 0
            if kind == 1:
                line[i] = (line[i] + a) & 255
            elif kind == 2:
                line[i] = (line[i] + b) & 255
            elif kind == 3:
                line[i] = (line[i] + (a + b) // 2) & 255
            elif kind == 4:
                pa, pb, pc = abs(b - c), abs(a - c), abs(a + b - 2 * c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        rows.append(line)
        prev = line
    return width, height, bpp, rows


def stats(path, x, y, w, h):
    width, height, bpp, rows = read_png(path, y + h)
    colours, total, n = set(), 0, 0
    for row in rows[y:y + h]:
        for i in range(x, min(x + w, width)):
            px = tuple(row[i * bpp:i * bpp + 3])
            colours.add(px)
            total += sum(px) / 3
            n += 1
    grey = {c[0] for c in colours if c[0] == c[1] == c[2]}
    return {"width": width, "height": height, "distinct": len(colours), "grey": len(grey),
            "mean": total / max(n, 1)}


class Browser:
    def __init__(self, chromium):
        to_child_r, self.to_child = os.pipe()
        self.from_child, from_child_w = os.pipe()

        def fds():  # in the child: the pipe ends to fds 3 and 4 (copied high first: they may be 3 or 4)
            r, w = fcntl.fcntl(to_child_r, fcntl.F_DUPFD, 10), fcntl.fcntl(from_child_w, fcntl.F_DUPFD, 10)
            os.dup2(r, 3)
            os.dup2(w, 4)

        self.proc = subprocess.Popen(
            [chromium, "--headless=new", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
             "--remote-debugging-pipe", "--no-first-run", "--window-size=1280,800", "about:blank"],
            pass_fds=(3, 4, to_child_r, from_child_w), preexec_fn=fds,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        os.close(to_child_r)
        os.close(from_child_w)
        self.buffer, self.next_id, self.session = b"", 0, None

    def send(self, method, params=None, session=True):
        self.next_id += 1
        message = {"id": self.next_id, "method": method, "params": params or {}}
        if session and self.session:
            message["sessionId"] = self.session
        os.write(self.to_child, json.dumps(message).encode() + b"\0")
        while True:
            while b"\0" not in self.buffer:
                chunk = os.read(self.from_child, 1 << 16)
                if not chunk:
                    raise RuntimeError("chromium closed the pipe")
                self.buffer += chunk
            text, self.buffer = self.buffer.split(b"\0", 1)
            answer = json.loads(text)
            if answer.get("id") == self.next_id:
                if "error" in answer:
                    raise RuntimeError(f"{method}: {answer['error']}")
                return answer.get("result", {})

    def evaluate(self, expression):
        r = self.send("Runtime.evaluate", {"expression": expression, "returnByValue": True})
        return r.get("result", {}).get("value")

    def wait(self, expression, seconds=15):
        end = time.time() + seconds
        while time.time() < end:
            if self.evaluate(expression):
                return True
            time.sleep(0.1)
        raise RuntimeError(f"timed out waiting for {expression}")

    def key(self, key, code, keycode):
        for kind in ("keyDown", "keyUp"):
            self.send("Input.dispatchKeyEvent", {"type": kind, "key": key, "code": code,
                                                 "windowsVirtualKeyCode": keycode})

    def close(self):
        try:
            self.send("Browser.close", session=False)
        except Exception:
            pass
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


def frame(chromium, url, out):
    b = Browser(chromium)
    try:
        target = b.send("Target.createTarget", {"url": "about:blank"})["targetId"]
        b.session = b.send("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
        b.send("Emulation.setDeviceMetricsOverride", {"width": 1280, "height": 800, "deviceScaleFactor": 1, "mobile": False})
        b.send("Page.enable")
        b.send("Page.navigate", {"url": url})
        b.wait("document.querySelectorAll('.tile img').length > 0 && "
               "[...document.querySelectorAll('.tile img')].every(i => i.complete && i.naturalWidth > 0)")
        thumbs = b.evaluate("document.querySelectorAll('.tile img').length")
        b.evaluate("document.querySelector('.tile').click()")
        b.wait("!document.getElementById('viewer').hidden && document.getElementById('frame').naturalWidth > 0")
        first = b.evaluate("document.getElementById('frame').src")
        b.key("ArrowDown", "ArrowDown", 40)
        b.key("4", "Digit4", 52)
        b.wait("document.getElementById('frame').src !== %s && document.getElementById('frame').complete && "
               "document.getElementById('frame').naturalWidth > 0 && "
               "document.getElementById('overlay').textContent.indexOf('W 80') >= 0" % json.dumps(first))
        time.sleep(0.3)
        shot = b.send("Page.captureScreenshot", {"format": "png"})
        with open(out, "wb") as f:
            f.write(base64.b64decode(shot["data"]))
        print(json.dumps({
            "thumbs": thumbs,
            "overlay": b.evaluate("document.getElementById('overlay').textContent"),
            "frameWidth": b.evaluate("document.getElementById('frame').naturalWidth"),
            "frameHeight": b.evaluate("document.getElementById('frame').naturalHeight"),
            "title": b.evaluate("document.getElementById('info').textContent"),
        }))
    finally:
        b.close()


if __name__ == "__main__":
    if sys.argv[1] == "stats":
        print(json.dumps(stats(sys.argv[2], *map(int, sys.argv[3:7]))))
    elif sys.argv[1] == "frame":
        frame(*sys.argv[2:5])
    else:
        sys.exit(__doc__)
