"""Streamlit entry point: `streamlit run dashboard/app.py -- --warehouse FILE`.

Why the path set-up: `streamlit run` puts this file's folder, not the project root, on
`sys.path`, so the `dashboard` package (and `orchestration.publish`, whose read-only connect it
reuses) is importable only once the root is there — also where the editable install predates the
package.
"""

import sys
from pathlib import Path

_ROOT = str(Path(__file__).resolve().parent.parent)
if _ROOT not in sys.path:
    sys.path.insert(0, _ROOT)

from dashboard.pages import main  # noqa: E402

main()
