"""Persian News QA chat app: `python app.py [--host H] [--port P]` (same as `qa serve`).

Builds the index of data/ on first start, then serves the chat page on
http://127.0.0.1:7860 (local only unless --host says otherwise).
"""

import sys

from qa.cli import main

if __name__ == "__main__":
    sys.exit(main(["serve", *sys.argv[1:]]))
