import numpy as np
import keras
from keras import layers

img_in = keras.Input(shape=(784,), name="pixels")
meta_in = keras.Input(shape=(8,), name="metadata")

x = layers.Dense(256, activation="relu")(img_in)
x = layers.Dense(64, activation="relu")(x)
m = layers.Dense(16, activation="relu")(meta_in)

merged = layers.concatenate([x, m])
digit_out = layers.Dense(10, activation="softmax", name="digit")(merged)
hard_out = layers.Dense(1, activation="sigmoid", name="is_hard")(merged)

two_headed = keras.Model(inputs=[img_in, meta_in], outputs=[digit_out, hard_out], name="two_headed_mlp")
two_headed.summary()

# forward pass only; compile/fit left for later
batch = {"pixels": np.random.rand(4, 784).astype("float32"),
         "metadata": np.random.rand(4, 8).astype("float32")}
digit_p, hard_p = two_headed.predict(batch, verbose=0)
print(digit_p.shape, hard_p.shape)
