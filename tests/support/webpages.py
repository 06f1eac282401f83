"""Article texts wrapped as real-looking news pages: navigation, a cookie banner, share
buttons, scripts (inline, JSON-LD, external), a newsletter box, related stories, comments, a
footer. The page's date is in its markup only (meta tags, JSON-LD, <time>), as news sites
publish it."""

from __future__ import annotations

import html
import json


def article_page(text: str, title: str, source: str, published_at: str) -> str:
    """The page a news site would serve for ``text``: one paragraph per line of it."""
    e = html.escape
    paragraphs = "\n".join(f"      <p>{e(line)}</p>" for line in text.splitlines() if line.strip())
    ld = json.dumps(
        {
            "@context": "https://schema.org",
            "@type": "NewsArticle",
            "headline": title,
            "datePublished": f"{published_at}T09:30:00Z",
            "publisher": {"@type": "Organization", "name": source},
        }
    )
    return f"""<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>{e(title)} | {e(source)}</title>
  <meta property="og:title" content="{e(title)}">
  <meta property="og:type" content="article">
  <meta property="article:published_time" content="{published_at}T09:30:00Z">
  <link rel="stylesheet" href="/static/site.css">
  <style>.nav{{display:flex;gap:1em}} .cookie{{position:fixed;bottom:0}}</style>
  <script>window.dataLayer = window.dataLayer || []; function gtag(){{dataLayer.push(arguments);}}
  gtag('js', new Date()); gtag('config', 'G-XXXX');</script>
  <script type="application/ld+json">{ld}</script>
</head>
<body>
  <div class="cookie" id="cookie-consent" role="dialog">
    <p>We use cookies and similar technologies to improve your experience, measure our
    audience and show you personalised advertising. By clicking "Accept all" you agree.</p>
    <button>Accept all</button> <button>Reject</button> <a href="/cookies">Cookie settings</a>
  </div>
  <header>
    <a class="logo" href="/">{e(source)}</a>
    <nav class="nav" aria-label="Main">
      <ul><li><a href="/">Home</a></li><li><a href="/world">World</a></li>
      <li><a href="/politics">Politics</a></li><li><a href="/business">Business</a></li>
      <li><a href="/sport">Sport</a></li><li><a href="/video">Video</a></li></ul>
    </nav>
    <form role="search" action="/search"><input name="q" placeholder="Search"></form>
  </header>
  <nav class="breadcrumbs"><a href="/">Home</a> &rsaquo; <a href="/world">World</a>
    &rsaquo; <a href="/world/mideast">Mideast Desk</a></nav>
  <main>
    <article>
      <h1>{e(title)}</h1>
      <div class="byline">By our correspondent &middot;
        <time datetime="{published_at}T09:30:00Z">{published_at}</time></div>
      <div class="share"><a href="#">Facebook</a> <a href="#">Twitter</a>
        <a href="#">WhatsApp</a> <a href="#">Email</a></div>
      <div class="article-body">
{paragraphs}
      </div>
    </article>
    <section class="newsletter">
      <h2>Get our morning briefing</h2>
      <p>The day's top stories in your inbox, every weekday at 6am.</p>
      <form><input type="email" placeholder="Your email"><button>Sign up</button></form>
    </section>
    <aside class="related">
      <h2>Most read</h2>
      <ol><li><a href="/a">Oil prices fall for a third day as stocks rally</a></li>
      <li><a href="/b">Election results: live updates from every district</a></li>
      <li><a href="/c">The best hiking trails within two hours of the city</a></li></ol>
    </aside>
    <section id="comments" class="comments">
      <h2>Comments (2)</h2>
      <div class="comment"><p>Great reporting, thank you.</p></div>
      <div class="comment"><p>I doubt these figures, they said 300,000 last week.</p></div>
    </section>
  </main>
  <footer>
    <ul><li><a href="/about">About us</a></li><li><a href="/privacy">Privacy policy</a></li>
    <li><a href="/terms">Terms of use</a></li><li><a href="/contact">Contact</a></li></ul>
    <p>&copy; {published_at[:4]} {e(source)}. All rights reserved.</p>
  </footer>
  <script src="/static/vendor.min.js" async></script>
  <script>document.querySelectorAll('.share a').forEach(function (a) {{
    a.addEventListener('click', function (event) {{ event.preventDefault(); }}); }});</script>
</body>
</html>
"""
