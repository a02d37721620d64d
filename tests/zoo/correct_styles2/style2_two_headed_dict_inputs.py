# Two inputs given as a dict (in the lesson's order, pixels then metadata), activations as
# their own layers (ReLU / Activation), heads as in the lesson.
import numpy as np
import keras
from keras import layers

img_in = keras.Input(shape=(784,), name="pixels")
meta_in = keras.Input(shape=(8,), name="metadata")
x = layers.ReLU()(layers.Dense(256)(img_in))
x = layers.Activation("relu")(layers.Dense(64)(x))
m = layers.ReLU()(layers.Dense(16)(meta_in))
merged = layers.concatenate([x, m])
digit_out = layers.Dense(10, activation="softmax", name="digit")(merged)
hard_out = layers.Dense(1, activation="sigmoid", name="is_hard")(merged)
two_headed = keras.Model(inputs={"pixels": img_in, "metadata": meta_in},
                         outputs=[digit_out, hard_out], name="two_headed_mlp")
two_headed.compile(
    optimizer="adam",
    loss={"digit": "sparse_categorical_crossentropy", "is_hard": "binary_crossentropy"},
    loss_weights={"digit": 1.0, "is_hard": 0.3},
    metrics={"digit": ["accuracy"]},
)
n = 64
fake = {"pixels": np.random.rand(n, 784).astype("float32"),
        "metadata": np.random.rand(n, 8).astype("float32")}
fake_y = {"digit": np.random.randint(0, 10, size=(n,)),
          "is_hard": np.random.randint(0, 2, size=(n, 1)).astype("float32")}
two_headed.fit(fake, fake_y, epochs=1, batch_size=32, verbose=0)
print("ok")
