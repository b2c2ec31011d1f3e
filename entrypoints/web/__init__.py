"""Server-rendered web pages (Starlette + Jinja2, no front-end build step).

What every site shares lives here, so that the driver portal, the site owners' pages and the operator
dashboard look and behave alike: the Jinja environment and its filters (``templating``), the signed-in cookie
(``cookies``), CSRF protection (``csrf``), bounded form reading (``forms``), the page runner that signs in,
checks forms and turns errors into pages (``pages``), the layout (``templates/base.html``) and the style sheet
(``static/site.css``). Each site is a module of page handlers (``portal``) and a folder of templates.
"""
