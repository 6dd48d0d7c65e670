"""The speed seam: everything that makes goalbook fast lives here, and nothing else knows of it.

Reading records, checks, statistics and page views are plain functions of their inputs. This
package wraps the one pure per-client step (``build.client_step``) in:

* ``signatures``: when a file (or folder) may be trusted unchanged without reading it — its stat
  signature, as git's index does, with git's racy-timestamp rule;
* ``fingerprint``: a hash of goalbook's own code and data files (computed, not listed by hand);
* ``store``: one stdlib ``sqlite3`` database in ``<practice>/.goalbook-cache/`` holding each
  client's last result, keyed by content; anything wrong with it only costs time;
* ``parallel``: one parallel map over the clients that miss, with one fork guard, whose workers
  never outlive the build;
* ``session``: the memo of per-client results that ``watch`` and ``serve`` keep between
  rebuilds and ``build`` makes once per run.
"""
