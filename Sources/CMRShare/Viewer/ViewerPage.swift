import Foundation
import CMRCrypto

/// The viewer: one self-contained HTML page with its style and plain JavaScript inline, nothing
/// fetched from elsewhere. It takes the token from the URL fragment (`/s#TOKEN`, never sent to a
/// server or a proxy log), removes it from the address bar, and sends it as
/// `Authorization: Bearer` with every request: the manifest, a grid of series thumbnails, then a
/// frame viewer (wheel, drag, arrow keys; window presets 1–5; right- or shift-drag changes the
/// window; `f` fit; Esc back). Refusals get their own page: expired, revoked, not valid.
///
/// The Content-Security-Policy allows exactly this page's script and style by their SHA-256.
public enum ViewerPage {
    /// The whole page.
    public static let html: String = """
        <!doctype html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1, viewport-fit=cover">
        <meta name="referrer" content="no-referrer">
        <title>Shared study</title>
        <style>\(style)</style>
        </head>
        <body>
        <header id="bar"><button id="back" type="button" hidden>&#9664; Series</button><span id="title">Shared study</span><span id="info"></span></header>
        <main id="grid" hidden></main>
        <section id="viewer" hidden>
        <div id="stage"><img id="frame" alt=""></div>
        <div id="overlay"></div>
        <nav id="tools">
        <button type="button" data-preset="0" title="1">Default</button><button type="button" data-preset="1" title="2">Lung</button><button type="button" data-preset="2" title="3">Bone</button><button type="button" data-preset="3" title="4">Brain</button><button type="button" data-preset="4" title="5">Soft tissue</button><button type="button" id="wlmode" title="drag changes the window">Window drag</button><button type="button" id="fit" title="f">Fit</button>
        </nav>
        </section>
        <section id="message" hidden><h1 id="msgtitle"></h1><p id="msgtext"></p></section>
        <noscript><p>This viewer needs JavaScript.</p></noscript>
        <script>\(script)</script>
        </body>
        </html>

        """

    /// The `Content-Security-Policy` of the page.
    public static let contentSecurityPolicy: String =
        "default-src 'none'; script-src '\(hash(script))'; style-src '\(hash(style))'; img-src 'self' blob:; "
        + "connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

    /// The page as served.
    static let response: HTTPResponse = {
        var r = HTTPResponse.bytes(200, contentType: "text/html; charset=utf-8", Array(html.utf8))
        r.headers.set("Content-Security-Policy", contentSecurityPolicy)
        return r
    }()

    /// `sha256-BASE64` of `text` as CSP source expressions write it.
    static func hash(_ text: String) -> String {
        "sha256-" + Data(SHA256.hash(Array(text.utf8))).base64EncodedString()
    }

    static let style = ##"""

        :root{color-scheme:dark;--bg:#111;--fg:#eee;--dim:#9aa;--tile:#1d1f22;--accent:#4da3ff}
        *{box-sizing:border-box}
        html,body{margin:0;height:100%;background:var(--bg);color:var(--fg);font:15px/1.4 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif}
        [hidden]{display:none!important}
        button{font:inherit;color:var(--fg);background:#2a2d31;border:1px solid #3a3e44;border-radius:6px;padding:6px 10px;cursor:pointer}
        button:focus-visible{outline:2px solid var(--accent)}
        button.on{background:var(--accent);color:#000}
        #bar{position:fixed;top:0;left:0;right:0;height:44px;display:flex;align-items:center;gap:10px;padding:0 10px;background:#000c;z-index:2;white-space:nowrap;overflow:hidden}
        #title{font-weight:600;overflow:hidden;text-overflow:ellipsis}
        #info{color:var(--dim);overflow:hidden;text-overflow:ellipsis}
        #grid{padding:54px 10px 10px;display:grid;grid-template-columns:repeat(auto-fill,minmax(150px,1fr));gap:10px}
        .tile{display:flex;flex-direction:column;align-items:stretch;padding:6px;background:var(--tile);text-align:left}
        .tile .thumb{aspect-ratio:1;background:#000;display:flex;align-items:center;justify-content:center;border-radius:4px;overflow:hidden}
        .tile img{max-width:100%;max-height:100%;image-rendering:auto}
        .tile .label{margin-top:6px;font-size:13px;color:var(--dim);overflow:hidden;text-overflow:ellipsis;white-space:nowrap}
        #viewer{position:fixed;top:44px;left:0;right:0;bottom:0;user-select:none;-webkit-user-select:none;background:#000}
        #stage{position:absolute;inset:0 0 52px 0;display:flex;align-items:center;justify-content:center;overflow:hidden;touch-action:none}
        #stage.native{overflow:auto;align-items:flex-start;justify-content:flex-start}
        #frame{width:100%;height:100%;object-fit:contain;pointer-events:none}
        #stage.native #frame{width:auto;height:auto}
        #overlay{position:absolute;left:8px;top:6px;font:13px/1.3 ui-monospace,monospace;color:#ddd;text-shadow:0 0 3px #000;pointer-events:none;white-space:pre}
        #tools{position:absolute;left:0;right:0;bottom:0;height:52px;display:flex;gap:6px;align-items:center;padding:0 8px;overflow-x:auto;background:#000c}
        #tools button{flex:none}
        #message{max-width:34em;margin:0 auto;padding:90px 20px}
        #message h1{font-size:24px;margin:0 0 12px}
        #message p{color:var(--dim)}
        @media (max-width:480px){#grid{grid-template-columns:repeat(2,1fr)}#info{display:none}}

        """##

    static let script = ##"""

        'use strict';
        (function () {
          var $ = function (id) { return document.getElementById(id); };
          var raw = location.hash.replace(/^#/, '');
          if (raw.indexOf('t=') === 0) raw = raw.slice(2);
          var token = '';
          try { token = decodeURIComponent(raw); } catch (e) { token = raw; }
          if (location.hash) history.replaceState(null, '', location.pathname + location.search);

          var PRESETS = [null, [-600, 1500], [300, 1500], [40, 80], [40, 400]];
          var NAMES = ['Default', 'Lung', 'Bone', 'Brain', 'Soft tissue'];
          var study = null, series = null, frames = [], index = 0, win = null, fileWin = null;
          var fit = true, dragWindow = false, cache = new Map(), busy = false, wanted = -1, thumbs = [];

          function api(path) {
            return fetch(path, { headers: { Authorization: 'Bearer ' + token }, cache: 'no-store', credentials: 'omit' })
              .then(function (r) {
                if (r.ok) return r;
                return r.json().catch(function () { return {}; }).then(function (j) {
                  throw { status: r.status, reason: j.error || '', at: j.at || '' };
                });
              });
          }

          function when(at) {
            var d = new Date(at);
            return isNaN(d) ? '' : d.toLocaleString();
          }

          function refuse(e) {
            var s = e && e.status, r = (e && e.reason) || '', t, p;
            if (s === 410 || r === 'expired') {
              t = 'This link has expired';
              p = 'It stopped working' + (e.at ? ' on ' + when(e.at) : '') + '. Ask the sender for a new link.';
            } else if (r === 'revoked') {
              t = 'This link has been revoked';
              p = 'The sender has withdrawn it. Ask them for a new link if you still need the images.';
            } else if (r === 'not-yet-valid') {
              t = 'This link is not valid yet';
              p = 'It can be opened' + (e.at ? ' from ' + when(e.at) : ' later') + '.';
            } else if (r === 'uses-exhausted') {
              t = 'This link has been used up';
              p = 'It could be opened a limited number of times. Ask the sender for a new link.';
            } else if (r === 'out-of-scope') {
              t = 'Not part of this share';
              p = 'The link does not give access to this part of the study.';
            } else if (r === 'no token in the link') {
              t = 'Open the link again';
              p = 'This page needs the whole share link. For safety it forgets the link when reloaded: open it again from where you received it.';
            } else if (s === 401 || !s) {
              t = 'This link is not valid';
              p = 'Check that the whole link was copied, including the part after the # sign. (' + (r || 'no token') + ')';
            } else if (s === 404) {
              t = 'Study not found';
              p = 'The shared study is not available on this server.';
            } else {
              t = 'Something went wrong';
              p = 'The server answered ' + s + (r ? ' (' + r + ')' : '') + '. Try again later.';
            }
            $('grid').hidden = true; $('viewer').hidden = true; $('back').hidden = true;
            $('msgtitle').textContent = t; $('msgtext').textContent = p; $('message').hidden = false;
            $('info').textContent = '';
            document.title = t;
          }

          function label(s) {
            var parts = [];
            if (s.number !== undefined && s.number !== null) parts.push('#' + s.number);
            if (s.modality) parts.push(s.modality);
            if (s.description) parts.push(s.description);
            var n = 0;
            s.instances.forEach(function (i) { n += i.frames; });
            parts.push(n + (n === 1 ? ' image' : ' images'));
            return parts.join(' \u00b7 ');
          }

          function showGrid() {
            $('viewer').hidden = true; $('message').hidden = true; $('back').hidden = true;
            $('grid').hidden = false;
            $('info').textContent = study.series.length + ' series';
            var b = document.querySelector('.tile[data-i="' + study.series.indexOf(series) + '"]');
            if (b) b.focus();
          }

          function buildGrid() {
            var grid = $('grid');
            study.series.forEach(function (s, i) {
              var b = document.createElement('button');
              b.type = 'button'; b.className = 'tile'; b.dataset.i = String(i);
              var box = document.createElement('div'); box.className = 'thumb';
              var img = document.createElement('img'); img.alt = ''; box.appendChild(img);
              var l = document.createElement('div'); l.className = 'label'; l.textContent = label(s);
              b.appendChild(box); b.appendChild(l);
              b.addEventListener('click', function () { openSeries(i); });
              grid.appendChild(b);
              api('/api/thumb/' + encodeURIComponent(s.uid)).then(function (r) { return r.blob(); })
                .then(function (blob) { var u = URL.createObjectURL(blob); thumbs.push(u); img.src = u; })
                .catch(function (e) { if (e && (e.status === 401 || e.status === 410 || e.reason === 'revoked')) refuse(e); });
            });
          }

          function openSeries(i) {
            series = study.series[i];
            frames = [];
            series.instances.forEach(function (inst) {
              for (var f = 0; f < inst.frames; f++) frames.push({ uid: inst.uid, f: f, n: inst.number });
            });
            index = Math.floor(frames.length / 2); win = null; fileWin = null;
            $('grid').hidden = true; $('message').hidden = true;
            $('viewer').hidden = false; $('back').hidden = false;
            $('info').textContent = label(series);
            show(index);
          }

          function sizeParam() {
            if (!fit) return '';
            var st = $('stage'), d = Math.min(window.devicePixelRatio || 1, 2);
            var w = Math.ceil(st.clientWidth * d / 64) * 64, h = Math.ceil(st.clientHeight * d / 64) * 64;
            w = Math.max(64, Math.min(2048, w)); h = Math.max(64, Math.min(2048, h));
            return '&size=' + w + 'x' + h;
          }

          function url(i) {
            var fr = frames[i];
            var w = win ? Math.round(win[0]) + ',' + Math.round(win[1]) : 'auto';
            return '/api/frame/' + encodeURIComponent(fr.uid) + '/' + fr.f + '?window=' + w + sizeParam();
          }

          function remember(key, u) {
            cache.set(key, u);
            if (cache.size > 300) {
              var oldest = cache.keys().next().value;
              URL.revokeObjectURL(cache.get(oldest)); cache.delete(oldest);
            }
          }

          function overlay() {
            var fr = frames[index], w = win || fileWin;
            $('overlay').textContent = (index + 1) + ' / ' + frames.length +
              (fr.n !== undefined && fr.n !== null ? '  (instance ' + fr.n + (fr.f ? ', frame ' + (fr.f + 1) : '') + ')' : '') +
              '\n' + (w ? 'W ' + Math.round(w[1]) + '  C ' + Math.round(w[0]) : '') + (win ? '' : '  default');
          }

          function show(i) {
            index = Math.max(0, Math.min(frames.length - 1, i));
            overlay();
            var key = url(index);
            if (cache.has(key)) { $('frame').src = cache.get(key); prefetch(); return; }
            wanted = index;
            load();
          }

          function load() {
            if (busy || wanted < 0) return;
            var i = wanted, key = url(i);
            wanted = -1;
            if (cache.has(key)) { if (i === index) $('frame').src = cache.get(key); return load(); }
            busy = true;
            api(key).then(function (r) {
              var w = r.headers.get('X-Window');
              if (w && !win) fileWin = w.split(',').map(Number);
              return r.blob();
            }).then(function (blob) {
              var u = URL.createObjectURL(blob);
              remember(key, u);
              if (i === index && url(index) === key) { $('frame').src = u; overlay(); }
            }).catch(function (e) {
              if (e && e.status && e.status !== 404 && e.status !== 500) refuse(e);
            }).then(function () {
              busy = false;
              if (wanted >= 0) load(); else prefetch();
            });
          }

          function prefetch() {
            if (busy || wanted >= 0) return;
            for (var d = 1; d <= 2; d++) {
              var j = index + d;
              if (j < frames.length && !cache.has(url(j))) { wanted = j; return load(); }
            }
          }

          function preset(p) {
            win = PRESETS[p] ? PRESETS[p].slice() : null;
            if (!win) fileWin = null;
            show(index);
          }

          function setFit(on) {
            fit = on;
            $('stage').classList.toggle('native', !fit);
            $('fit').classList.toggle('on', fit);
            show(index);
          }

          // Scrolling, dragging, windowing.
          var viewer = $('viewer'), drag = null, wheelSum = 0;
          viewer.addEventListener('contextmenu', function (e) { e.preventDefault(); });
          viewer.addEventListener('wheel', function (e) {
            e.preventDefault();
            wheelSum += e.deltaMode === 1 ? e.deltaY * 40 : e.deltaY;
            var steps = Math.trunc(wheelSum / 50);
            if (steps) { wheelSum -= steps * 50; show(index + steps); }
          }, { passive: false });
          viewer.addEventListener('pointerdown', function (e) {
            if (e.target.closest('#tools')) return;
            var w = win || fileWin || [40, 400];
            drag = { x: e.clientX, y: e.clientY, i: index, c: w[0], w: w[1],
                     windowing: e.button === 2 || e.shiftKey || dragWindow };
            viewer.setPointerCapture(e.pointerId);
            e.preventDefault();
          });
          viewer.addEventListener('pointermove', function (e) {
            if (!drag) return;
            var dx = e.clientX - drag.x, dy = e.clientY - drag.y;
            if (drag.windowing) {
              var k = Math.max(1, drag.w / 200);
              win = [drag.c + dy * k, Math.max(1, drag.w + dx * k)];
              show(index);
            } else {
              var step = Math.max(4, Math.min(12, $('stage').clientHeight / Math.max(1, frames.length)));
              var i = drag.i + Math.trunc(dy / step);
              if (i !== index) show(i);
            }
          });
          function endDrag() { drag = null; }
          viewer.addEventListener('pointerup', endDrag);
          viewer.addEventListener('pointercancel', endDrag);

          document.querySelectorAll('[data-preset]').forEach(function (b) {
            b.addEventListener('click', function () { preset(Number(b.dataset.preset)); });
          });
          $('wlmode').addEventListener('click', function () { dragWindow = !dragWindow; $('wlmode').classList.toggle('on', dragWindow); });
          $('fit').addEventListener('click', function () { setFit(!fit); });
          $('fit').classList.add('on');
          $('back').addEventListener('click', showGrid);

          document.addEventListener('keydown', function (e) {
            if (e.ctrlKey || e.metaKey || e.altKey || $('viewer').hidden) return;
            var k = e.key;
            if (k === 'ArrowDown' || k === 'ArrowRight' || k === 'j') show(index + 1);
            else if (k === 'ArrowUp' || k === 'ArrowLeft' || k === 'k') show(index - 1);
            else if (k === 'PageDown') show(index + 10);
            else if (k === 'PageUp') show(index - 10);
            else if (k === 'Home') show(0);
            else if (k === 'End') show(frames.length - 1);
            else if (k >= '1' && k <= '5') preset(Number(k) - 1);
            else if (k === 'f' || k === 'F') setFit(!fit);
            else if (k === 'Escape') showGrid();
            else return;
            e.preventDefault();
          });
          window.addEventListener('resize', function () { if (!$('viewer').hidden && fit) show(index); });

          if (!token) { refuse({ status: 401, reason: 'no token in the link' }); return; }
          api('/api/study').then(function (r) { return r.json(); }).then(function (m) {
            study = m;
            var t = [m.description, m.date ? m.date.replace(/^(\d{4})(\d{2})(\d{2})$/, '$1-$2-$3') : ''].filter(Boolean).join(' \u00b7 ');
            $('title').textContent = t || 'Shared study';
            document.title = t || 'Shared study';
            if (!m.series.length) { refuse({ status: 404, reason: 'no series' }); return; }
            buildGrid();
            showGrid();
          }).catch(refuse);
        })();

        """##
}
