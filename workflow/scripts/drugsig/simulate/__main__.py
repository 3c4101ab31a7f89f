"""``python -m drugsig.simulate``: run the simulator's command line."""

from drugsig.simulate.cli import main

raise SystemExit(main())
