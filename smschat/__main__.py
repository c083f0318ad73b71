from smschat.cli.main import main

if __name__ == "__main__":  # pragma: no cover - thin entry point
    raise SystemExit(main())
