import sys

from salingsapa.cli import main

sys.exit(main())
