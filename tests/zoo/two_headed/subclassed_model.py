import numpy as np
import keras
from keras import layers


class TwoHeaded(keras.Model):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.trunk1 = layers.Dense(256, activation="relu")
        self.trunk2 = layers.Dense(64, activation="relu")
        self.tower = layers.Dense(16, activation="relu")
        self.digit = layers.Dense(10, activation="softmax", name="digit")
        self.is_hard = layers.Dense(1, activation="sigmoid", name="is_hard")

    def call(self, inputs):
        x = self.trunk2(self.trunk1(inputs["pixels"]))
        m = self.tower(inputs["metadata"])
        merged = keras.ops.concatenate([x, m], axis=-1)
        return {"digit": self.digit(merged), "is_hard": self.is_hard(merged)}


two_headed = TwoHeaded(name="two_headed_mlp")
two_headed.compile(
    optimizer="adam",
    loss={"digit": "sparse_categorical_crossentropy", "is_hard": "binary_crossentropy"},
    loss_weights={"digit": 1.0, "is_hard": 0.3},
    metrics={"digit": ["accuracy"]},
)
n = 128
fake = {"pixels": np.random.rand(n, 784).astype("float32"),
        "metadata": np.random.rand(n, 8).astype("float32")}
fake_y = {"digit": np.random.randint(0, 10, size=(n,)),
          "is_hard": np.random.randint(0, 2, size=(n, 1)).astype("float32")}
two_headed.fit(fake, fake_y, epochs=1, batch_size=32, verbose=1)
two_headed.summary()
