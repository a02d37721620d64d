import numpy as np
import keras
from keras import layers

img_in = keras.Input(shape=(784,), name="pixels")
meta_in = keras.Input(shape=(8,), name="metadata")

x = layers.Dense(256, activation="relu")(img_in)
x = layers.Dense(64, activation="relu")(x)
m = layers.Dense(16, activation="relu")(meta_in)

merged = layers.concatenate([x, m])
digit_out = layers.Dense(10, activation="softmax")(merged)   # no name=
hard_out = layers.Dense(1, activation="sigmoid")(merged)     # no name=

two_headed = keras.Model(inputs=[img_in, meta_in], outputs=[digit_out, hard_out], name="two_headed_mlp")
two_headed.summary()

# Without head names, losses and targets go in as lists, in output order
two_headed.compile(
    optimizer="adam",
    loss=["sparse_categorical_crossentropy", "binary_crossentropy"],
    loss_weights=[1.0, 0.3],
)
n = 128
fake = {"pixels": np.random.rand(n, 784).astype("float32"),
        "metadata": np.random.rand(n, 8).astype("float32")}
digit_y = np.random.randint(0, 10, size=(n,))
hard_y = np.random.randint(0, 2, size=(n, 1)).astype("float32")
two_headed.fit(fake, [digit_y, hard_y], epochs=1, batch_size=32, verbose=1)
