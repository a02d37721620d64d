import numpy as np
import keras
from keras import layers

pixels = keras.Input(shape=(784,), name="pixels")
metadata = keras.Input(shape=(8,), name="metadata")

trunk = layers.Dense(256, activation="relu", name="trunk_1")(pixels)
trunk = layers.Dense(64, activation="relu", name="trunk_2")(trunk)
tower = layers.Dense(16, activation="relu", name="tower")(metadata)

merged = layers.Concatenate(name="merged")([tower, trunk])     # 16 + 64 = 80
digit = layers.Dense(10, activation="softmax", name="digit")(merged)
is_hard = layers.Dense(1, activation="sigmoid", name="is_hard")(merged)

two_headed = keras.Model(inputs=[pixels, metadata], outputs=[digit, is_hard])

# losses and weights as lists, in output order; loss objects instead of strings
two_headed.compile(
    optimizer=keras.optimizers.Adam(1e-3),
    loss=[keras.losses.SparseCategoricalCrossentropy(), keras.losses.BinaryCrossentropy()],
    loss_weights=[1.0, 0.3],
    metrics={"digit": ["accuracy"]},
)
n = 128
fake = {"pixels": np.random.rand(n, 784).astype("float32"),
        "metadata": np.random.rand(n, 8).astype("float32")}
fake_y = {"digit": np.random.randint(0, 10, size=(n,)),
          "is_hard": np.random.randint(0, 2, size=(n, 1)).astype("float32")}
two_headed.fit(fake, fake_y, epochs=1, batch_size=32, verbose=0)
