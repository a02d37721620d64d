# loss_weights={"digit": 1.0}: the 0.3 for is_hard is missing (wrong_loss_weights), while the
# losses themselves are keyed right.
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
two_headed.compile(
    optimizer="adam",
    loss={"digit": "sparse_categorical_crossentropy", "is_hard": "binary_crossentropy"},
    loss_weights={"digit": 1.0},
)
n = 128
fake = {"pixels": np.random.rand(n, 784).astype("float32"),
        "metadata": np.random.rand(n, 8).astype("float32")}
fake_y = {"digit": np.random.randint(0, 10, size=(n,)),
          "is_hard": np.random.randint(0, 2, size=(n, 1)).astype("float32")}
try:
    two_headed.fit(fake, fake_y, epochs=1, batch_size=32, verbose=0)
    print("fit ok")
except Exception as e:
    print("fit failed:", type(e).__name__, str(e)[:200])
