# Siamese comparator with named inputs AND a named (dict) output, so that compile/fit/predict
# all speak in names: {"left", "right"} -> {"same_digit"}.
import numpy as np
import keras
from keras import layers

left = keras.Input(shape=(784,), name="left")
right = keras.Input(shape=(784,), name="right")

hidden = layers.Dense(256, activation="relu", name="enc_dense_1")
embed = layers.Dense(64, activation="relu", name="enc_dense_2")
merged = layers.concatenate([embed(hidden(left)), embed(hidden(right))], name="pair")
same = layers.Dense(1, activation="sigmoid", name="same_digit")(merged)

siamese = keras.Model(inputs={"left": left, "right": right}, outputs={"same_digit": same},
                      name="siamese_mlp")
siamese.summary()
assert siamese.count_params() == 217_537
assert len(siamese.trainable_weights) == 6

siamese.compile(optimizer="adam", loss={"same_digit": "binary_crossentropy"},
                metrics={"same_digit": ["accuracy"]})
x = {"left": np.random.rand(32, 784).astype("float32"),
     "right": np.random.rand(32, 784).astype("float32")}
y = {"same_digit": np.random.randint(0, 2, size=(32, 1)).astype("float32")}
siamese.fit(x, y, epochs=1, batch_size=16, verbose=0)

p = siamese.predict(x, verbose=0)["same_digit"]
print(p.shape, p.min(), p.max())
assert p.shape == (32, 1) and (p > 0).all() and (p < 1).all()
