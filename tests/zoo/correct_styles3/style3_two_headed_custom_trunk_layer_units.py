import numpy as np
import keras
from keras import layers


class MLPBlock(layers.Layer):
    """A stack of relu Dense layers, widths given by `units`."""

    def __init__(self, units, **kwargs):
        super().__init__(**kwargs)
        self.units = tuple(units)
        self.stack = [layers.Dense(u, activation="relu") for u in self.units]

    def call(self, x):
        for d in self.stack:
            x = d(x)
        return x

    def get_config(self):
        return {**super().get_config(), "units": list(self.units)}


img_in = keras.Input(shape=(784,), name="pixels")
meta_in = keras.Input(shape=(8,), name="metadata")
x = MLPBlock((256, 64), name="image_trunk")(img_in)
m = MLPBlock((16,), name="meta_tower")(meta_in)
merged = layers.concatenate([x, m])
digit_out = layers.Dense(10, activation="softmax", name="digit")(merged)
hard_out = layers.Dense(1, activation="sigmoid", name="is_hard")(merged)
two_headed = keras.Model(inputs=[img_in, meta_in], outputs=[digit_out, hard_out], name="two_headed_mlp")
two_headed.summary()

two_headed.compile(
    optimizer="adam",
    loss={"digit": "sparse_categorical_crossentropy", "is_hard": "binary_crossentropy"},
    loss_weights={"digit": 1.0, "is_hard": 0.3},
    metrics={"digit": ["accuracy"]},
)
n = 128
fake = {"pixels": np.random.rand(n, 784).astype("float32"), "metadata": np.random.rand(n, 8).astype("float32")}
fake_y = {"digit": np.random.randint(0, 10, size=(n,)),
          "is_hard": np.random.randint(0, 2, size=(n, 1)).astype("float32")}
two_headed.fit(fake, fake_y, epochs=1, batch_size=32, verbose=0)
print(two_headed.count_params())
