# Day 2 exercise - siamese digit comparator
# Functional API, two inputs, shared encoder

import numpy as np
import keras
from keras import layers


def encoder(x):
    """Encode a flattened 28x28 image into a 64-d embedding."""
    h = layers.Dense(256, activation="relu")(x)
    h = layers.Dense(64, activation="relu")(h)
    return h


left = keras.Input(shape=(784,), name="left")
right = keras.Input(shape=(784,), name="right")

# same encoder function for both sides
left_emb = encoder(left)
right_emb = encoder(right)

merged = layers.concatenate([left_emb, right_emb])
out = layers.Dense(1, activation="sigmoid", name="same_digit")(merged)

siamese = keras.Model(inputs=[left, right], outputs=out, name="siamese")
siamese.summary()

print("params:", siamese.count_params())
print("trainable weights:", len(siamese.trainable_weights))

# quick forward pass
a = np.random.rand(8, 784).astype("float32")
b = np.random.rand(8, 784).astype("float32")
pred = siamese.predict({"left": a, "right": b}, verbose=0)
print(pred.shape, pred.min(), pred.max())
