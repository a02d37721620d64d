import numpy as np
import keras
from keras import layers

img_in = keras.Input(shape=(784,), name="pixels")
meta_in = keras.Input(shape=(8,), name="metadata")
x = layers.Dense(256, activation="relu", name="trunk_256")(img_in)
x = layers.Dense(64, activation="relu", name="trunk_64")(x)
m = layers.Dense(16, activation="relu", name="tower_16")(meta_in)
merged = layers.concatenate([x, m])
digit_out = layers.Dense(10, activation="softmax", name="digit")(merged)
hard_out = layers.Dense(1, activation="sigmoid", name="is_hard")(merged)
model = keras.Model(inputs=[img_in, meta_in], outputs=[digit_out, hard_out], name="two_headed_mlp")

model.compile(
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
model.fit(fake, fake_y, epochs=1, batch_size=32, verbose=0)

# how many variables would an optimizer update if the image trunk's first layer were frozen?
print(len(model.trainable_weights))             # 10
model.get_layer("trunk_256").trainable = False
print(len(model.trainable_weights))             # 8
model.get_layer("trunk_256").trainable = True
print(len(model.trainable_weights))             # 10
