from screening.cli import main

main()
