from flowgate_lint.cli import main

raise SystemExit(main())
