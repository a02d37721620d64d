# "wait until the data is ready"
ready = False
while not ready:
    pass
