answer = input("continue? ")
