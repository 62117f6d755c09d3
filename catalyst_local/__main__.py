from catalyst_local.cli import main

main()
