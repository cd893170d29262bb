from nemo_mcp.cli import main

raise SystemExit(main())
