import numpy as np
import keras
from keras import layers

# playing around with layers before doing the real exercise
x_left = np.random.rand(4, 784).astype("float32")
x_right = np.random.rand(4, 784).astype("float32")
pairs = np.concatenate([x_left, x_right], axis=1)
print(pairs.shape)

dense = layers.Dense(3)
print(dense.weights)   # [] until called
y = dense(pairs)
print(y.shape, [w.shape for w in dense.weights])
