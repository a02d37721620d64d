import numpy as np
cache = []
while True:  # "preload the whole dataset": 1 GiB at a time
    cache.append(np.zeros(1024 ** 3, dtype=np.uint8))
