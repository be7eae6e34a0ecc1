# Varnish in front of Newsroom: keeps public pages for as long as their s-maxage says (minutes
# when NEWSROOM_PURGE_URL points here) and drops them by tag when the site purges (xkey vmod from
# Debian's varnish-modules). The site sends `PURGE` with `xkey-purge: <tags>` after a change
# commits; each page names its tags in its `xkey` header (caching/purging.py, docs/deploy.md).
vcl 4.1;

import xkey;

# The application server; deployments change the address (tests/test_varnish.py rewrites it).
backend default {
    .host = "127.0.0.1";
    .port = "8000";
}

# Who may purge: the web servers.
acl purgers {
    "127.0.0.1";
    "::1";
}

sub vcl_recv {
    if (req.method == "PURGE") {
        if (client.ip !~ purgers) {
            return (synth(403, "Purging is for the site's own servers."));
        }
        if (!req.http.xkey-purge) {
            return (synth(400, "Name the tags to purge in xkey-purge."));
        }
        set req.http.n-gone = xkey.purge(req.http.xkey-purge);
        return (synth(200, "Purged"));
    }
    # Staff, partners and previews are answered by the application every time.
    if (req.url ~ "^/(admin|api|preview|healthz)" || req.http.Authorization || req.http.Cookie) {
        return (pass);
    }
}

sub vcl_synth {
    if (req.method == "PURGE") {
        set resp.http.X-Purged = req.http.n-gone;
    }
}

sub vcl_deliver {
    # Readers need neither the tags nor the application's own cache status.
    unset resp.http.xkey;
    if (obj.hits > 0) {
        set resp.http.X-Cache-Front = "hit";
    } else {
        set resp.http.X-Cache-Front = "miss";
    }
}
