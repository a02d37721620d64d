# The shared encoder as its own functional model, called on both inputs.
import numpy as np
from tensorflow import keras
from tensorflow.keras import layers

enc_in = keras.Input(shape=(784,), name="digit")
h = layers.Dense(256, activation="relu")(enc_in)
h = layers.Dense(64, activation="relu")(h)
encoder = keras.Model(enc_in, h, name="encoder")

left = keras.Input(shape=(784,), name="left")
right = keras.Input(shape=(784,), name="right")
merged = layers.Concatenate()([encoder(left), encoder(right)])
out = layers.Dense(1, activation="sigmoid", name="same_digit")(merged)
siamese = keras.Model(inputs=[left, right], outputs=out, name="siamese_mlp")

siamese.summary()
print(siamese.count_params(), len(siamese.trainable_weights))
x = {"left": np.random.rand(16, 784).astype("float32"),
     "right": np.random.rand(16, 784).astype("float32")}
print(siamese.predict(x, verbose=0)[:3].ravel())
