from lipgate.cli.main import main

main()
